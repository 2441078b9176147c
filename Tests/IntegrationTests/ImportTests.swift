import Client
import Foundation
import GRDB
import RowStorage
import Server
import Shared
import TestSupport
import Testing

/// Paths of the test fixtures and of the shared UPR Info data.
enum TestData {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let sharedUPRInfo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/upr-info-2015")
    static var sharedDataPresent: Bool {
        FileManager.default.fileExists(atPath: sharedUPRInfo.appendingPathComponent("sessions-1-5.csv").path)
    }

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }
}

@Suite("Importing recommendations")
struct ImportTests {
    /// A secretariat replica that has pulled the server's reference rows.
    static func secretariat(_ server: InProcessServer, user: String = "sara") async throws -> (Replica, SyncEngine) {
        let (replica, engine) = try await server.replica(user: user, org: "nmirf", clock: server.clock)
        _ = try await engine.sync()
        return (replica, engine)
    }

    @Test("a UPR Info export in the messy 2015 shape imports once, fully, and syncs")
    func uprInfoFixture() async throws {
        let server = try await InProcessServer()
        let (replica, engine) = try await Self.secretariat(server)
        let (records, invalid) = try UPRInfoFormat.parse(try TestData.fixture("upr-info-sample.csv"))
        #expect(invalid.isEmpty)
        #expect(records.count == 5)
        let first = try replica.importRecommendations(records, keyColumn: "upr_info_key")
        #expect(first == ImportReport(read: 5, new: 4, updated: 0, unchanged: 1, invalid: []))

        let all = try replica.rows("recommendation")
        #expect(all.count == 4)
        let habre = try #require(all.first { $0.values["text"]?.description.contains("Habré") == true }).values
        #expect(habre["state_under_review"] == .text("TCD"))
        #expect(habre["recommending_states"] == .list(["BEL"]))
        #expect(habre["session"] == .integer(4))
        #expect(habre["cycle"] == .integer(1))
        #expect(habre["position"] == .text("supported"))
        #expect(habre["action_category"] == .integer(5))
        #expect(habre["themes"] == .list(["Justice", "Torture and other CID treatment"]))
        #expect(habre["kind"] == .text("recommendation"))
        let upr = try #require(try replica.rows("mechanism").first { $0.values["code"] == .text("UPR") })
        #expect(habre["mechanism_id"] == .text(upr.id))
        let unknown = try #require(all.first { $0.values["state_under_review"] == .text("IDN") }).values
        #expect(unknown["recommending_states"] == .list([]))
        let brazil = try #require(all.first { $0.values["state_under_review"] == .text("BRA") }).values
        #expect(brazil["cycle"] == .integer(2))
        #expect(
            try replica.recommendations(
                {
                    var f = RecommendationFilter()
                    f.position = "noted"
                    return f
                }()
            ).count == 1)

        let again = try replica.importRecommendations(records, keyColumn: "upr_info_key")
        #expect(again == ImportReport(read: 5, new: 0, updated: 0, unchanged: 5, invalid: []))
        #expect(try replica.status().pending == 4)

        _ = try await engine.sync()
        let (other, otherEngine) = try await Self.secretariat(server, user: "sam")
        _ = try await otherEngine.sync()
        #expect(try other.rows("recommendation").count == 4)
        #expect(try other.digest() == replica.digest())
        #expect(try other.digest() == (try await server.storage.digest()))
    }

    @Test(
        "the shared UPR Info data: one recommendation per distinct row, every field filled, idempotent",
        .enabled(if: TestData.sharedDataPresent, "../shared/data is not present"))
    func sharedUPRInfo() async throws {
        // Distinct rows per file, counted with Python's csv module (the README gives the row counts).
        let distinctRows = ["sessions-1-5.csv": 6_094, "sessions-6-9.csv": 8_342, "sessions-10-13.csv": 9_047]
        let server = try await InProcessServer()
        let (replica, engine) = try await Self.secretariat(server)
        var total = 0
        for (file, distinct) in distinctRows.sorted(by: { $0.key < $1.key }) {
            let data = try Data(contentsOf: TestData.sharedUPRInfo.appendingPathComponent(file))
            let (records, invalid) = try UPRInfoFormat.parse(data)
            #expect(invalid.isEmpty, "\(file): \(invalid.prefix(3))")
            let report = try replica.importRecommendations(records, keyColumn: "upr_info_key")
            #expect(report.new == distinct, "\(file)")
            #expect(report.invalid.isEmpty)
            total += distinct
            let again = try replica.importRecommendations(records, keyColumn: "upr_info_key")
            #expect(again.new == 0 && again.updated == 0 && again.unchanged == records.count, "\(file)")
        }
        let rows = try replica.rows("recommendation")
        #expect(rows.count == total)
        for column in ["state_under_review", "session", "cycle", "position", "action_category", "themes", "text"] {
            #expect(rows.allSatisfy { $0.values[column] != nil }, "\(column) missing somewhere")
        }
        // Nine session-1 rows name an "(Unknown)" recommending state; every other row has one.
        #expect(rows.filter { $0.values["recommending_states"] == .list([]) }.count == 9)
        _ = try await engine.sync()
        let (other, otherEngine) = try await Self.secretariat(server, user: "sam")
        _ = try await otherEngine.sync()
        #expect(try other.rows("recommendation").count == total)
        #expect(try other.digest() == replica.digest())
    }

    @Test("a UHRI export imports with HTML stripped and annotation ids kept; changes update")
    func uhriFixture() async throws {
        let server = try await InProcessServer()
        let (replica, _) = try await Self.secretariat(server)
        let data = try TestData.fixture("uhri-sample.json")
        let (records, invalid) = try UHRIFormat.parse(data)
        #expect(invalid.isEmpty)
        let report = try replica.importRecommendations(records, keyColumn: "uhri_id")
        #expect(report == ImportReport(read: 3, new: 3, updated: 0, unchanged: 0, invalid: []))
        let rows = try replica.rows("recommendation")
        let cedaw = try #require(rows.first { $0.values["uhri_id"] == .text("6f1c3e2a-9b4d-4c8e-a1f2-3d4e5f6a7b8c") })
        #expect(
            cedaw.values["text"]
                == .text(
                    "The Committee recommends that the State party adopt a comprehensive law on violence against women & girls."
                ))
        #expect(cedaw.values["state_under_review"] == .text("MAR"))
        #expect(cedaw.values["sdg_targets"] == .list(["5.2", "16"]))
        #expect(cedaw.values["document_symbol"] == .text("CEDAW/C/MAR/CO/5-6"))
        #expect(cedaw.values["date"] == .text("2022-07-12"))
        let mechanisms = Dictionary(
            uniqueKeysWithValues: try replica.rows("mechanism").map { ($0.id, $0.values["code"]?.description ?? "") })
        #expect(
            rows.compactMap { mechanisms[$0.values["mechanism_id"]?.description ?? ""] }.sorted()
                == ["CEDAW", "SP:Special Rapporteur on torture", "UPR"])
        let concern = try #require(rows.first { $0.values["kind"] == .text("concern") })
        #expect(
            concern.values["text"] == .text("The Special Rapporteur expresses concern at the conditions of detention."))
        let upr = try #require(rows.first { $0.values["document_symbol"] == .text("A/HRC/40/6") })
        #expect(upr.values["text"]?.description.contains("Paris Principles (A/HRC/40/6") == true)

        #expect(try replica.importRecommendations(records, keyColumn: "uhri_id").unchanged == 3)
        let edited = String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "expresses concern at", with: "remains concerned about")
        let (changed, _) = try UHRIFormat.parse(Data(edited.utf8))
        let update = try replica.importRecommendations(changed, keyColumn: "uhri_id")
        #expect(update == ImportReport(read: 3, new: 0, updated: 1, unchanged: 2, invalid: []))
    }

    @Test("a file with broken rows is refused whole, with line numbers and reasons")
    func brokenFile() async throws {
        let server = try await InProcessServer()
        let (records, invalid) = try UPRInfoFormat.parse(try TestData.fixture("upr-info-broken.csv"))
        #expect(records.count == 2)
        #expect(invalid.map(\.line) == [4, 5])
        #expect(invalid[0].reason.contains("expected 11 fields"))
        #expect(invalid[1].reason.contains("Atlantis"))
        #expect(throws: ReplicaError.self) { try UPRInfoFormat.parse(Data("not,a,upr,info,file\r".utf8)) }
        #expect(throws: ReplicaError.self) { try UHRIFormat.parse(Data(#"{"not": "an array"}"#.utf8)) }

        // The CLI refuses the whole file unless told to skip the invalid rows.
        let directory = try temporaryDirectory("broken")
        let file = TestData.fixtures.appendingPathComponent("upr-info-broken.csv").path
        let (secretariat, _) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: directory)
        await #expect(throws: (any Error).self) {
            try await followup(["--replica", directory, "import", "upr-info", file])
        }
        #expect(try secretariat.rows("recommendation").isEmpty)
        #expect(try secretariat.status().pending == 0)
        try await followup(["--replica", directory, "import", "upr-info", file, "--skip-invalid"])
        #expect(try secretariat.rows("recommendation").count == 2)
    }
}
