import Client
import Foundation
import Server
import Shared
import TestSupport
import Testing

/// Imports that must leave the data whole: no second mechanism, no churn on a re-import.
@Suite("Import integrity")
struct ImportIntegrityTests {
    @Test("importing again after a sync writes nothing and reports nothing changed")
    func reimportAfterSync() async throws {
        let server = try await InProcessServer()
        let (replica, engine) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        _ = try await engine.sync()
        let (records, _) = try UPRInfoFormat.parse(try TestData.fixture("upr-info-sample.csv"))
        _ = try replica.importRecommendations(records, keyColumn: "upr_info_key")
        _ = try await engine.sync()
        #expect(try replica.status().pending == 0)
        let again = try replica.importRecommendations(records, keyColumn: "upr_info_key")
        #expect(again.new == 0 && again.updated == 0)
        #expect(try replica.status().pending == 0)
    }

    @Test("importing before the first sync refuses to invent the UN's mechanisms, and writes nothing")
    func importBeforeFirstSync() async throws {
        let server = try await InProcessServer()
        let (replica, engine) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        let (records, _) = try UPRInfoFormat.parse(try TestData.fixture("upr-info-sample.csv"))
        let refusal = #expect(throws: ReplicaError.self) {
            try replica.importRecommendations(records, keyColumn: "upr_info_key")
        }
        #expect(refusal?.code == .syncRequired)
        #expect(try replica.status().pending == 0)
        _ = try await engine.sync()
        _ = try replica.importRecommendations(records, keyColumn: "upr_info_key")
        _ = try await engine.sync()
        let codes = try replica.rows("mechanism").compactMap { $0.values["code"]?.description }
        #expect(codes.filter { $0 == "UPR" }.count == 1)
    }

    @Test("only the secretariat imports: a ministry hears it at once, and nothing is written")
    func ministryCannotImport() async throws {
        let server = try await InProcessServer()
        let (ministry, engine) = try await server.replica(user: "malik", org: "moj", clock: server.clock)
        _ = try await engine.sync()
        let (records, _) = try UPRInfoFormat.parse(try TestData.fixture("upr-info-sample.csv"))
        let refusal = #expect(throws: ReplicaError.self) {
            try ministry.importRecommendations(records, keyColumn: "upr_info_key")
        }
        #expect(refusal?.code == .forbidden)
        #expect(try ministry.status().pending == 0)
    }

    @Test("a stray bracket in a JSON export is refused, not read forever")
    func strayBracket() throws {
        let data = Data(#"[{"AnnotationId": "a"}}, {"AnnotationId": "b"}]"#.utf8)
        #expect(throws: ReplicaError.self) {
            _ = try UHRIFormat.parse(data)
        }
    }
}
