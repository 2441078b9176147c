import Foundation
import GRDB
import RowStorage
import Shared

extension Replica {
    /// The clock error tolerated before the replica corrects its clock by the server's, in ms.
    public static let clockTolerance: Int64 = 60_000

    /// Compares the server's clock with this replica's and keeps the correction up to date.
    ///
    /// A difference beyond `clockTolerance` becomes the offset added to the system clock; once
    /// the system clock is right again the offset returns to 0.
    public func observeServerTime(_ serverTime: Int64) throws {
        try writer.write { db in
            var settings = try Self.settings(db)
            let difference = serverTime - wallClock.nowMillis()
            let offset = abs(difference) > Self.clockTolerance ? difference : 0
            guard abs(offset - settings.clockOffsetMillis) > Self.clockTolerance else { return }
            settings.clockOffsetMillis = offset
            try settings.update(db)
        }
    }

    /// Re-stamps every pending operation from the server's time after the server found this
    /// replica's clock ahead, and keeps the correction for later edits.
    ///
    /// New stamps come after every operation the replica knows the server holds (pulled, or its
    /// own accepted ones), so its merged rows stay what the server will compute and its own edits
    /// keep their order; each re-stamped operation gets a new id.
    ///
    /// - Returns: how many operations were re-stamped.
    public func restampPending(serverTime: Int64) throws -> Int {
        let decoder = WireCoding.decoder()
        let encoder = WireCoding.encoder()
        return try writer.write { db in
            var settings = try Self.settings(db)
            settings.clockOffsetMillis = serverTime - wallClock.nowMillis()
            let maxKnown = HLCTimestamp(settings.maxKnownHLC) ?? HLCTimestamp(physical: 0)
            var clock = HybridLogicalClock(last: max(maxKnown, HLCTimestamp(physical: serverTime)))
            let pending = try Row.fetchAll(db, sql: "SELECT seq, op FROM outbox ORDER BY seq")
            for entry in pending {
                var operation = try decoder.decode(SyncOperation.self, from: Data((entry[1] as String).utf8))
                let oldVersion = operation.version
                operation.hlc = clock.tick(now: serverTime)
                operation.id = UUIDv7.make(millis: operation.hlc.physical)
                let newVersion = operation.version
                if let table = schema.table(operation.table), var state = try rows.load(table, id: operation.row, db) {
                    for (column, version) in state.versions where version == oldVersion {
                        state.versions[column] = newVersion
                    }
                    if state.tombstone == oldVersion { state.tombstone = newVersion }
                    try rows.save(table, id: operation.row, state: state, db)
                }
                try db.execute(
                    sql: "UPDATE outbox SET op_id = ?, op = ? WHERE seq = ?",
                    arguments: [operation.id, String(decoding: try encoder.encode(operation), as: UTF8.self), entry[0]])
            }
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return pending.count
        }
    }
}
