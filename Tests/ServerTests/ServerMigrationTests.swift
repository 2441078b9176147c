import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

@testable import Server

/// The server's store upgrades in place: what an older store holds survives each migration.
@Suite("Server store migrations")
struct ServerMigrationTests {
    @Test("a store at v3 with accounts upgrades to the State and the new kinds, keeping its accounts and sessions")
    func upgradeFromV3() async throws {
        let queue = try DatabaseQueue()
        let clock = ManualWallClock(millis: 1_800_000_000_000)
        try SQLiteServerStorage.migrator(clock: clock).migrate(queue, upTo: "v3")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO organisation (id, name, kind, created_at) VALUES ('moj', 'Justice', 'ministry', 1);
                    INSERT INTO user_account (name, org_id, password_hash, created_at) VALUES ('malik', 'moj', 'x', 1);
                    INSERT INTO device (id, user_name, name, created_at) VALUES ('d1', 'malik', 'laptop', 1);
                    INSERT INTO auth_session (token_hash, device_id, created_at) VALUES ('t1', 'd1', 1);
                    """)
        }
        let storage = try SQLiteServerStorage(writer: queue, policy: .standard, clock: clock)
        #expect(try await storage.session(tokenHash: "t1")?.session.org == "moj")
        try await storage.addOrganisation(id: "court", name: "Supreme Court", kind: .judiciary)
        try await storage.addOrganisation(id: "unct", name: "UN Country Team", kind: .unCountryTeam)
        try await storage.setDeploymentState("MAR")
        #expect(try await storage.viewer(ofUser: "malik") == Viewer(org: "moj", role: .ministry))
        let violations = try await queue.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
    }
}
