import Foundation
import GRDB
import RowStorage
import Shared

/// Pending operations as a push carries them, and where they end in the outbox.
public struct PendingBatch: Sendable {
    /// Creates a batch.
    public init(operations: [String], last: Int64) {
        self.operations = operations
        self.last = last
    }

    /// The operations' JSON objects, oldest first.
    public var operations: [String]
    /// The outbox position of the last one (the position asked for when there are none).
    public var last: Int64
}

extension Replica {
    /// The oldest `limit` operations of the outbox, in the order they were made.
    public func pendingOperations(limit: Int) throws -> [SyncOperation] {
        let decoder = WireCoding.decoder()
        return try pendingBatch(after: 0, limit: limit).operations.map {
            try decoder.decode(SyncOperation.self, from: Data($0.utf8))
        }
    }

    /// The oldest `limit` operations of the outbox after outbox position `position`.
    ///
    /// They come as the JSON objects it keeps, which are exactly what a push carries (so a push
    /// neither decodes nor re-encodes them). The edits of rows whose confidential text waits to be sealed are
    /// left out: they are never sent in clear.
    public func pendingBatch(after position: Int64, limit: Int) throws -> PendingBatch {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT seq, op FROM outbox WHERE seq > ?
                          AND (NOT EXISTS (SELECT 1 FROM sealing_wait)
                               OR json_extract(op, '$.row') NOT IN (SELECT row_id FROM sealing_wait))
                        ORDER BY seq LIMIT ?
                        """),
                arguments: [position, limit])
            return PendingBatch(operations: rows.map { $0[1] }, last: rows.last?[0] ?? position)
        }
    }

    /// The stamp of an encoded operation, read without decoding its fields.
    struct Stamp: Decodable {
        var hlc: HLCTimestamp
    }

    /// The HLC of an operation as the outbox keeps it: found after its `"hlc":"` key (the
    /// writers put it there, and field names never contain quotes), else decoded.
    static func stamp(of encoded: String, _ decoder: JSONDecoder) throws -> HLCTimestamp {
        if let key = encoded.range(of: "\"hlc\":\""),
            let end = encoded.utf8.index(
                key.upperBound, offsetBy: HLCTimestamp.width, limitedBy: encoded.utf8.endIndex),
            let hlc = HLCTimestamp(String(encoded[key.upperBound..<end]))
        {
            return hlc
        }
        return try decoder.decode(Stamp.self, from: Data(encoded.utf8)).hlc
    }

    /// Merges the outbox's pending operations on `row` again, in order (after a restore or a purge).
    static func reapplyPending(table: String, row: String, rows: RowStore, _ db: Database) throws {
        let decoder = WireCoding.decoder()
        for text in try String.fetchAll(db, sql: "SELECT op FROM outbox ORDER BY seq") {
            let operation = try decoder.decode(SyncOperation.self, from: Data(text.utf8))
            guard operation.table == table, operation.row == row else { continue }
            try rows.apply(operation, db)
        }
    }

    /// Records the end of a complete sync.
    public func markSynced() throws {
        try writer.write { db in
            var settings = try Self.settings(db)
            settings.lastSyncAt = wallClock.nowMillis()
            try settings.update(db)
        }
    }
}
