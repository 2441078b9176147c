import Client
import Foundation
import Server
import Shared
import TestSupport
import Testing

/// Rows near the text limit travel in pages of bounded size, and all of them arrive.
@Suite("Large rows")
struct LargeRowTests {
    @Test("pull pages stop at the byte budget, and a replica still receives every large row")
    func boundedPages() async throws {
        var server = try await InProcessServer()
        server.service.pageByteBudget = 300_000
        let (writer, writerSync) = try await server.replicaOnDisk(
            user: "sara", org: "nmirf", directory: try temporaryDirectory("large-rows-writer"))
        let text = String(repeating: "Ensure effective remedies for victims. ", count: 2_300)
        #expect(text.utf8.count > 89_000)
        _ = try writer.put(
            "recommendation", rows: (1...12).map { (nil, ["text": .text("\($0) " + text)]) })
        _ = try await writerSync.sync()
        let viewer = try #require(try await server.storage.viewer(ofUser: "sara"))
        let page = try await server.service.changes(after: 0, limit: 1_000, viewer: viewer)
        #expect(page.more)
        #expect(page.changes.filter { $0.table == "recommendation" }.count < 12)
        #expect(page.changes.reduce(0) { $0 + $1.estimatedJSONBytes } <= 300_000 + 200_000)
        let (reader, _) = try await server.replicaOnDisk(
            user: "sami", org: "nmirf", directory: try temporaryDirectory("large-rows-reader"))
        #expect(try reader.digest() == writer.digest())
        #expect(try reader.rows("recommendation").count == 12)
    }
}
