import Shared
import TestSupport
import Testing

@testable import Client

@Suite("Full-text search of pulled recommendations")
struct SearchIndexTests {
    static func search(_ replica: Replica, _ text: String) throws -> [String] {
        var filter = RecommendationFilter()
        filter.search = text
        return try replica.recommendations(filter).map(\.id)
    }

    @Test("pages index their new recommendations together; updates, deletes and local edits keep the index exact")
    func pulledRecommendationsStaySearchable() async throws {
        let server = try await InProcessServer()
        let (writer, writerEngine) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        _ = try await writerEngine.sync()
        let ids = try writer.put(
            (0..<120).map {
                RowEdit(
                    table: "recommendation",
                    fields: ["text": .text("Recommendation \($0): protect word\($0) defenders")])
            })
        _ = try await writerEngine.sync()

        let (reader, firstEngine) = try await server.replica(user: "sam", org: "nmirf", clock: server.clock)
        var readerEngine = firstEngine
        readerEngine.pullPageSize = 7
        _ = try await readerEngine.sync()
        #expect(try reader.searchIndexMismatches() == 0)
        #expect(try Self.search(reader, "word17") == [ids[17]])
        #expect(try Self.search(reader, "defenders").count == 120)

        // Rewritten and deleted rows, new ones, and an edit the reader has not pushed yet.
        for index in 0..<10 {
            _ = try writer.put(
                "recommendation", id: ids[index], fields: ["text": .text("Rewritten \(index): newterm\(index)")])
        }
        for index in 10..<15 { try writer.delete("recommendation", id: ids[index]) }
        let more = try writer.put(
            (0..<30).map {
                RowEdit(table: "recommendation", fields: ["text": .text("Later \($0): fresh\($0) mandate")])
            })
        _ = try await writerEngine.sync()
        _ = try reader.put("recommendation", id: ids[20], fields: ["text": .text("Local draft localterm")])
        _ = try await readerEngine.sync()

        #expect(try reader.searchIndexMismatches() == 0)
        #expect(try Self.search(reader, "newterm3") == [ids[3]])
        #expect(try Self.search(reader, "word3").isEmpty)
        #expect(try Self.search(reader, "word12").isEmpty)
        #expect(try Self.search(reader, "fresh29") == [more[29]])
        #expect(try Self.search(reader, "localterm") == [ids[20]])
        #expect(try Self.search(reader, "defenders").count == 120 - 10 - 5 - 1)
    }
}
