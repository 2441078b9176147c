import Client
import Foundation
import GRDB
import Shared
import TestSupport
import Testing

/// A purge's wipe of the write-ahead log, when another program reads the replica (issue 14).
@Suite("Purge wipes held up by a reader")
struct PurgeWipeTests {
    @Test("a reader holding the replica delays the wipe: the user is told, and the next sync wipes the bytes")
    func readerDelaysWipe() async throws {
        let server = try await InProcessServer()
        let root = try temporaryDirectory("purge-wipe")
        let (sara, saraEngine) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: root + "/sara")
        let (malik, malikEngine) = try await server.replicaOnDisk(user: "malik", org: "moj", directory: root + "/malik")
        let secret = "Witness W-\(UInt32.random(in: 0...UInt32.max)) lives at the old mill"
        let recommendation = try sara.put("recommendation", fields: ["text": .text("Protect witnesses")])
        // A draft action is read by its owner, the secretariat and the assigned institutions only.
        let action = try sara.put(
            "action", fields: ["title": .text(secret), "recommendation_id": .text(recommendation)])
        let assignment = try sara.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        _ = try await saraEngine.sync()
        _ = try await malikEngine.sync()
        #expect(try malik.row("action", id: action)?["title"] == .text(secret))

        // Another program (here a second connection) reads the ministry's replica and keeps reading.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: root + "/malik/" + Replica.fileName, configuration: configuration)
        try reader.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM recommendation")
        }

        // The assignment ends: the draft action leaves the ministry's scope.
        try sara.delete("assignment", id: assignment)
        _ = try await saraEngine.sync()
        let held = try await malikEngine.sync()
        #expect(held.purged >= 1)
        #expect(try malik.row("action", id: action) == nil)
        #expect(held.wipePending, "the sync says the wipe waits")
        #expect(try malik.status().wipePending)
        // The control: while the wipe waits, the purged text's bytes are still in the database
        // or its log, so the grep after the wipe looks where the text was.
        let files = [Replica.fileName, Replica.fileName + "-wal"]
        let waiting = try files.map { try bytesOfOpenDatabase(root + "/malik/" + $0) }
        #expect(waiting.contains { $0.range(of: Data(secret.utf8)) != nil }, "the text was never on disk")

        // Once the other program stops reading, the next sync wipes: no byte of the row is left.
        try reader.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try reader.close()
        let after = try await malikEngine.sync()
        #expect(!after.wipePending)
        #expect(!(try malik.status().wipePending))
        for file in files {
            let bytes = try bytesOfOpenDatabase(root + "/malik/" + file)
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) still holds the purged text")
        }
    }
}
