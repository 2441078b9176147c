import Foundation
import GRDB
import RowStorage
import Shared

/// What the operator reads: the audit trail, digests and policy explanations.
extension SQLiteServerStorage {
    /// The accepted operations with log sequence above `cursor`, at most `limit` (the audit trail).
    public func operations(after cursor: Int64, limit: Int) async throws -> OperationPage {
        try await writer.read { db in
            let decoder = WireCoding.decoder()
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.logColumns) FROM op_log WHERE seq > ? ORDER BY seq LIMIT ?")
            var operations: [SyncOperation] = []
            let rows = try Row.fetchCursor(statement, arguments: [cursor, limit + 1])
            var more = false
            while let row = try rows.next() {
                if operations.count == limit {
                    more = true
                    break
                }
                operations.append(try Self.loggedOperation(row, decoder: decoder))
            }
            return OperationPage(operations: operations, cursor: operations.last?.seq ?? cursor, more: more)
        }
    }

    /// The digest of the merged state (`RowStore.digest`).
    public func digest() async throws -> String {
        let rows = self.rows
        return try await writer.read { db in try rows.digest(db) }
    }

    /// The digest of the rows `viewer` may see: equal to the digest of that viewer's synced replica.
    public func digest(visibleTo viewer: Viewer) async throws -> String {
        let rows = self.rows
        let keys = viewer.audienceKeys.map(\.description)
        return try await writer.read { db in
            let store = SQLiteSyncStore(db: db, rows: rows)
            return try rows.digest(db) { table, id in
                let filing = try store.filing(table, id: id)
                return keys.contains { filing[$0] == true }
            }
        }
    }

    /// What the policy says about `user` reading and changing row `id` of `table`.
    public func explain(user: String, table: String, id: String) async throws -> AccessExplanation {
        guard let viewer = try await viewer(ofUser: user) else {
            throw ServiceError(.malformedRequest, "'\(user)' is the server's own identity and has no role")
        }
        guard policy.schema.table(table) != nil else {
            throw ServiceError(.malformedRequest, "there is no table '\(table)'")
        }
        let policy = self.policy
        return try await read { store in
            try AccessExplanation(
                policy: policy, viewer: viewer, table: table, id: id, values: store.row(table, id: id), facts: store)
        }
    }

    /// The number of operations in the log.
    public func operationCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM op_log") ?? 0 }
    }
}
