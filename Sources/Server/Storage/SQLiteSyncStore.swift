import Foundation
import GRDB
import RowStorage
import Shared

/// The sync primitives over one SQLite transaction of the server's database.
///
/// `row_feed` holds, for every row and every audience key that can or could see it, the feed
/// sequence of the last change that key must hear of, and whether the key sees the row now
/// (1) or must purge it (0); `feed_clock` holds the last sequence handed out. SQLite's single
/// writer makes sequences visible in order, as `SyncStoreWriter` requires.
struct SQLiteSyncStore: SyncStoreWriter {
    let db: Database
    let rows: RowStore

    private func table(_ name: String) -> TableSchema? { rows.schema.table(name) }

    // MARK: Reading

    func loggedOperation(id: String) throws -> LoggedOperation? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT seq, replica_id, table_name, row_id, kind, fields, hlc FROM op_log WHERE op_id = ?"),
                arguments: [id])
        else { return nil }
        let seq: Int64 = row[0]
        let (kindText, fieldsText, hlcText): (String, String, String) = (row[4], row[5], row[6])
        guard let kind = SyncOperation.Kind(rawValue: kindText), let hlc = HLCTimestamp(hlcText),
            let fields = try? WireCoding.decoder().decode([String: FieldValue].self, from: Data(fieldsText.utf8))
        else {
            throw ServiceError(.internalError, "operation log entry \(seq) is unreadable")
        }
        let operation = SyncOperation(
            id: id, table: row[2], row: row[3], kind: kind, fields: fields, hlc: hlc, replica: row[1], seq: seq)
        return LoggedOperation(seq: seq, replica: row[1], operation: operation)
    }

    func state(_ table: String, id: String) throws -> RowState? {
        guard let schemaTable = self.table(table) else { return nil }
        return try rows.load(schemaTable, id: id, db)
    }

    func row(_ table: String, id: String) throws -> [String: FieldValue]? {
        guard let schemaTable = self.table(table) else { return nil }
        return try rows.values(schemaTable, id: id, db)
    }

    func rowChanges(_ table: String, ids: [String]) throws -> [String: RowChange] {
        guard let schemaTable = self.table(table) else { return [:] }
        return try rows.changes(schemaTable, ids: ids, db)
    }

    func filing(_ table: String, id: String) throws -> [String: Bool] {
        var filing: [String: Bool] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT audience, visible FROM row_feed WHERE table_name = ? AND row_id = ?"),
            arguments: [table, id])
        {
            filing[row[0]] = (row[1] as Int) == 1
        }
        return filing
    }

    func values(of column: String, in table: String, where conditions: [String: String]) throws -> [String] {
        // Names come from the planner, never from a payload; they are checked all the same.
        guard let schemaTable = self.table(table),
            ([column] + conditions.keys).allSatisfy({ $0 == "id" || schemaTable.column($0) != nil })
        else {
            throw ServiceError(.internalError, "no column \(column) or \(conditions.keys) in \(table)")
        }
        let names = conditions.keys.sorted()
        let filter = names.map { "\($0) = ?" }.joined(separator: " AND ")
        return try String.fetchAll(
            db.cachedStatement(sql: "SELECT \(column) FROM \(table) WHERE \(filter) AND \(column) IS NOT NULL"),
            arguments: StatementArguments(names.compactMap { conditions[$0] }))
    }

    func assignedOrganisations(recommendation id: String) throws -> Set<String> {
        try rows.assignedOrganisations(recommendation: id, db)
    }

    func assignedOrganisations(cluster id: String) throws -> Set<String> {
        try rows.assignedOrganisations(cluster: id, db)
    }

    func feedRange(audience: String, after cursor: Int64, limit: Int) throws -> [FeedEntry] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT seq, table_name, row_id, visible FROM row_feed
                    WHERE audience = ? AND seq > ? ORDER BY seq LIMIT ?
                    """),
            arguments: [audience, cursor, limit]
        ).map { FeedEntry(seq: $0[0], table: $0[1], row: $0[2], visible: $0[3]) }
    }

    func deploymentState() throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM deployment"))
    }

    // MARK: Writing

    func saveRow(_ table: String, id: String, state: RowState) throws {
        guard let schemaTable = self.table(table) else {
            throw Rejection(.unknownTable, "there is no table '\(table)'")
        }
        try rows.save(schemaTable, id: id, state: state, db)
    }

    func loggedBytes(org: String, since: Int64) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT coalesce(sum(length(CAST(fields AS BLOB))), 0) FROM op_log
                WHERE org_id = ? AND received_at >= ?
                """, arguments: [org, since]) ?? 0
    }

    func appendToLog(_ operation: SyncOperation, receivedAt: Int64) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO op_log (op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            operation.id, operation.table, operation.row, operation.kind.rawValue, WireJSON.encode(operation.fields),
            operation.hlc.description, operation.replica, operation.author, operation.org, receivedAt,
        ])
        return db.lastInsertedRowID
    }

    func nextFeedSequence() throws -> Int64 {
        // UPDATE … RETURNING would need SQLite 3.35; two statements work with any.
        try db.cachedStatement(sql: "UPDATE feed_clock SET last_seq = last_seq + 1").execute()
        guard let next = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM feed_clock")) else {
            throw ServiceError(.internalError, "the feed clock is missing")
        }
        return next
    }

    func file(_ filing: FeedFiling, seq: Int64) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO row_feed (table_name, row_id, audience, seq, visible) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (table_name, row_id, audience) DO UPDATE SET seq = excluded.seq, visible = excluded.visible
                """)
        for key in filing.seeing { try upsert.execute(arguments: [filing.table, filing.row, key, seq, 1]) }
        for key in filing.losing { try upsert.execute(arguments: [filing.table, filing.row, key, seq, 0]) }
    }
}
