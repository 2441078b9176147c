import Foundation
import GRDB
import RowStorage
import Shared

extension Replica {
    /// The replica's settings.
    public func settings() throws -> ReplicaSettings {
        try writer.read { db in try Self.settings(db) }
    }

    static func settings(_ db: Database) throws -> ReplicaSettings {
        guard let settings = try ReplicaSettings.fetchOne(db) else {
            throw ReplicaError(.notInitialised, "the replica was never signed in; run 'followup init'")
        }
        return settings
    }

    /// The table called `name`, or a `unknown_table` error listing the tables.
    public func table(_ name: String) throws -> TableSchema {
        guard let table = schema.table(name) else {
            let names = schema.tables.map(\.name).joined(separator: ", ")
            throw ReplicaError(.unknownTable, "there is no table '\(name)'; tables are: \(names)")
        }
        return table
    }

    /// The live row `id` of `table`: its non-null values, or nil when absent or deleted.
    public func row(_ tableName: String, id: String) throws -> [String: FieldValue]? {
        let table = try table(tableName)
        return try writer.read { db in
            try rows.values(table, id: id, db).map { try Self.revealed(tableName, id: id, $0, db) }
        }
    }

    /// Every live row of `table`, in id order.
    public func rows(_ tableName: String) throws -> [(id: String, values: [String: FieldValue])] {
        let table = try table(tableName)
        return try writer.read { db in
            var result: [(id: String, values: [String: FieldValue])] = []
            try rows.forEachRow(table, db) { id, values in
                result.append((id, try Self.revealed(tableName, id: id, values, db)))
            }
            return result
        }
    }

    /// The digest of the live rows (`RowStore.digest`); equal on replicas holding the same rows.
    public func digest() throws -> String {
        try writer.read { db in try rows.digest(db) }
    }

    /// A summary of the replica's sync state.
    public func status() throws -> ReplicaStatus {
        try writer.read { db in
            let settings = try Self.settings(db)
            var status = ReplicaStatus(
                replica: settings.replicaID, server: settings.serverURL, user: settings.userName, org: settings.org,
                pending: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0,
                waitingForKeys: try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM outbox WHERE json_extract(op, '$.row') IN (SELECT row_id FROM sealing_wait)"
                ) ?? 0,
                rejected: try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected_op") ?? 0,
                cursor: settings.cursor, lastSyncAt: settings.lastSyncAt, signedIn: settings.token != nil,
                clockOffsetMillis: settings.clockOffsetMillis, state: settings.deploymentState)
            status.wipePending = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM wipe_pending") ?? false
            let nhris = try Self.nhriRecipients(db, adopting: false)
            (status.unconfirmedRecipients, status.unlistedRecipients) = (nhris.unconfirmed, nhris.unlisted)
            return status
        }
    }

    /// The operations the server refused, oldest first.
    public func rejectedOperations() throws -> [RejectedOperation] {
        try writer.read { db in
            let decoder = WireCoding.decoder()
            return try Row.fetchAll(db, sql: "SELECT op, code, message FROM rejected_op ORDER BY rejected_at, op_id")
                .map { row in
                    RejectedOperation(
                        operation: try decoder.decode(SyncOperation.self, from: Data((row[0] as String).utf8)),
                        code: ErrorCode(rawValue: row[1]), message: row[2])
                }
        }
    }
}
