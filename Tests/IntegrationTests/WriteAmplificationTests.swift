import Foundation
import GRDB
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// One organisation's work must not hold the server's single writer for long: an edit re-files
/// only what its change affects, and a long push goes on in short transactions.
@Suite("Write amplification: edits re-file what they affect, long pushes yield the writer")
struct WriteAmplificationTests {
    /// A storage that counts its write transactions.
    final class CountingStorage: ServerStorage, @unchecked Sendable {
        let base: any ServerStorage
        private let lock = NSLock()
        private var count = 0

        init(_ base: any ServerStorage) { self.base = base }

        var writes: Int { lock.withLock { count } }

        func write<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreWriter) throws -> T) async throws -> T {
            lock.withLock { count += 1 }
            return try await base.write(body)
        }

        func read<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreReader) throws -> T) async throws -> T {
            try await base.read(body)
        }
    }

    /// The rows filed under any audience key after feed sequence `cursor`, as "table/id".
    ///
    /// Every key the feed holds counts, not a chosen list, so a re-filing under an audience
    /// nobody thought of is seen.
    static func filed(after cursor: Int64, in storage: SQLiteServerStorage) async throws -> Set<String> {
        try await storage.writer.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT table_name || '/' || row_id FROM row_feed WHERE seq > ?", arguments: [cursor]))
        }
    }

    /// The last feed sequence filed under any audience key.
    static func lastSequence(in storage: SQLiteServerStorage) async throws -> Int64 {
        try await storage.writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM row_feed") ?? 0 }
    }

    /// Every audience key the feed holds.
    static func audiences(in storage: SQLiteServerStorage) async throws -> Set<String> {
        try await storage.writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT audience FROM row_feed"))
        }
    }

    @Test("an edit that changes no one's audience re-files only the row itself, however much work hangs under it")
    func editsRefileOnlyWhatTheyAffect() async throws {
        let desk = try await StakeholderWorkTests.desk()
        let (secretariat, ministry) = (desk["nmirf"], desk["moj"])
        let rec = try secretariat.put("recommendation", fields: ["text": .text("Reform legal aid")])
        let other = try secretariat.put("recommendation", fields: ["text": .text("Train judges")])
        _ = try secretariat.assign(NewAssignment(target: rec, institution: "moj", role: .lead))
        _ = try secretariat.assign(NewAssignment(target: other, institution: "mof", role: .lead))
        try await desk.sync("nmirf", "moj", "mof")
        let action = try ministry.planAction(NewAction(recommendation: rec, title: "Legal aid law"))
        _ = try ministry.put(
            "progress_update",
            rows: (0..<400).map { (nil, ["action_id": .text(action), "narrative": .text("Step \($0)")]) })
        try await desk.sync("moj")
        let storage = desk.server.storage
        // The feed files the work under several audiences: a check over all of them is not vacuous.
        #expect(try await Self.audiences(in: storage).count >= 3)

        // A new title, then a move to submitted: only the action is filed again.
        for fields: [String: FieldValue] in [["title": .text("Legal aid act")], ["state": .text("submitted")]] {
            let before = try await Self.lastSequence(in: storage)
            _ = try ministry.put("action", id: action, fields: fields)
            try await desk.sync("moj")
            #expect(try await Self.filed(after: before, in: storage) == ["action/" + action])
        }

        // Moving the action to a recommendation assigned to mof changes who sees its progress:
        // then, and only then, the updates are filed again (mof gains them).
        #expect(try desk["mof"].rows("progress_update").isEmpty)
        try await desk.sync("nmirf")
        let before = try await Self.lastSequence(in: storage)
        _ = try secretariat.put("action", id: action, fields: ["recommendation_id": .text(other)])
        try await desk.sync("nmirf", "mof")
        let refiled = try await Self.filed(after: before, in: storage)
        // (The positive control: the same check over every key sees all 400 updates filed again.)
        #expect(refiled.count == 401)
        #expect(try desk["mof"].rows("progress_update").count == 400)
    }

    @Test("a push that outlasts its write slice goes on in further transactions, with the same verdicts")
    func longPushesYieldTheWriter() async throws {
        let server = try await InProcessServer()
        try await server.storage.addUser(name: "sara", org: "nmirf", passwordHash: "unused")
        let session = try await server.storage.openSession(
            user: "sara", replica: nil, deviceName: "test", tokenHash: "token-sara", now: server.clock.nowMillis())
        let counting = CountingStorage(server.storage)
        var sliced = SyncService(
            storage: counting, policy: .standard, clock: server.clock, maxClockSkewMillis: 60_000,
            evidence: server.service.evidence)
        sliced.writeSlice = .zero
        let rows = (0..<5).map { _ in UUIDv7.make() }
        var operations = rows.map { row in
            SyncOperation(
                id: UUIDv7.make(), table: "recommendation", row: row, kind: .upsert,
                fields: ["text": .text("Recommendation \(row)")], hlc: HLCTimestamp(physical: server.clock.nowMillis()),
                replica: session.replica)
        }
        // A refused operation in the middle does not stop the ones after it.
        operations.insert(
            SyncOperation(
                id: UUIDv7.make(), table: "no_such_table", row: UUIDv7.make(), kind: .upsert, fields: [:],
                hlc: HLCTimestamp(physical: server.clock.nowMillis()), replica: session.replica), at: 2)
        let response = try await sliced.push(PushRequest(ops: operations), session: session)
        #expect(counting.writes == operations.count)
        #expect(response.verdicts.map(\.op) == operations.map(\.id))
        #expect(response.verdicts.filter { $0.status == .accepted }.count == 5)
        #expect(response.verdicts[2].code == .unknownTable)

        // Sent again (the answer was lost), every operation is already accepted, at the same sequence.
        let again = try await sliced.push(PushRequest(ops: operations), session: session)
        #expect(again.verdicts.map(\.seq) == response.verdicts.map(\.seq))
        let stored = try await server.storage.read { store in try rows.map { try store.state("recommendation", id: $0) }
        }
        #expect(stored.allSatisfy { $0 != nil })
    }
}
