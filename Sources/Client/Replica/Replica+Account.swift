import GRDB
import RowStorage
import Shared

extension Replica {
    /// Hands the replica to another account (after the first was disabled, say).
    ///
    /// The previous account's pending edits cannot be sent under the new identity, so they move
    /// to the quarantine for the new user to review (`followup rejected`); the rows are dropped
    /// and pulled again in the new account's scope.
    ///
    /// - Returns: how many pending edits were set aside.
    public func adopt(_ login: LoginResponse) throws -> Int {
        let rows = self.rows
        return try writer.write { db in
            var settings = try Self.settings(db)
            let pending = try setAsidePending(
                because:
                    "written by \(settings.userName) of \(settings.org) and never sent; \(login.user) may re-enter it or discard it",
                db)
            try Self.resetSyncedRows(db, rows: rows)
            settings = try Self.settings(db)
            settings.replicaID = login.replica
            settings.userName = login.user
            settings.org = login.org
            settings.orgKind = login.orgKind
            settings.token = login.token
            settings.cursor = 0
            try settings.update(db)
            return pending
        }
    }

    /// Moves every pending edit to the quarantine with `account_changed` and `reason`, for
    /// the user to review (`followup rejected`): edits never go out under another identity.
    ///
    /// - Returns: how many were set aside.
    @discardableResult
    public func setAsidePending(because reason: String) throws -> Int {
        try writer.write { db in try setAsidePending(because: reason, db) }
    }

    private func setAsidePending(because reason: String, _ db: Database) throws -> Int {
        let pending = try Row.fetchAll(db, sql: "SELECT op_id, op FROM outbox ORDER BY seq")
        for entry in pending {
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO rejected_op (op_id, op, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    entry[0] as String, entry[1] as String, ErrorCode.accountChanged.rawValue, reason,
                    wallClock.nowMillis(),
                ])
        }
        try db.execute(sql: "DELETE FROM outbox")
        return pending.count
    }

    /// Replaces the session token (after a new sign-in) or forgets it (nil, after a 401).
    public func setToken(_ token: String?) throws {
        try writer.write { db in
            var settings = try Self.settings(db)
            settings.token = token
            try settings.update(db)
        }
    }
}
