import Crypto
import Foundation
import GRDB
import Shared

/// Reads and writes materialised rows (values plus per-field versions) in a GRDB database.
///
/// Client replicas and the server's SQLite storage both keep their merged state this way, so
/// both run the same `Merge` rule over the same table layout (`TableSchema.createSQL`).
public struct RowStore: Sendable {
    /// The tables it manages.
    public let schema: Schema
    /// Each table's SELECT and UPSERT statements, built once rather than on every row write.
    private let sql: [String: (select: String, upsert: String)]

    /// Creates a row store for `schema`.
    public init(schema: Schema) {
        self.schema = schema
        var sql: [String: (select: String, upsert: String)] = [:]
        for table in schema.tables {
            let names = table.columns.flatMap { [$0.name, $0.versionColumn] } + ["_deleted"]
            let placeholders = Array(repeating: "?", count: names.count + 1).joined(separator: ", ")
            let updates = names.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            sql[table.name] = (
                select: "SELECT id, \(names.joined(separator: ", ")) FROM \(table.name)",
                upsert: """
                INSERT INTO \(table.name) (id, \(names.joined(separator: ", "))) VALUES (\(placeholders)) \
                ON CONFLICT(id) DO UPDATE SET \(updates)
                """
            )
        }
        self.sql = sql
    }

    /// Loads the merged state of row `id` of `table`, or nil when the row was never seen.
    public func load(_ table: TableSchema, id: String, _ db: Database) throws -> RowState? {
        let statement = try db.cachedStatement(sql: selectSQL(table) + " WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        return state(from: row, table: table)
    }

    /// The merged states of those of rows `ids` of `table` that were ever seen, by id.
    ///
    /// One query per 500 ids: per-row queries cost more than the rows themselves.
    public func load(_ table: TableSchema, ids: some Collection<String>, _ db: Database) throws -> [String: RowState] {
        var states: [String: RowState] = [:]
        states.reserveCapacity(ids.count)
        try forEachStoredRow(table, ids: ids, db) { id, row in states[id] = state(from: row, table: table) }
        return states
    }

    /// Those of rows `ids` of `table` that were ever seen, as a pull sends them (with `seq` 0
    /// and the versions as stored), by id.
    public func changes(_ table: TableSchema, ids: some Collection<String>, _ db: Database) throws -> [String:
        RowChange]
    {
        var changes: [String: RowChange] = [:]
        changes.reserveCapacity(ids.count)
        try forEachStoredRow(table, ids: ids, db) { id, row in changes[id] = change(from: row, id: id, table: table) }
        return changes
    }

    private func forEachStoredRow(
        _ table: TableSchema, ids: some Collection<String>, _ db: Database, _ body: (String, Row) throws -> Void
    ) throws {
        let all = Array(ids)
        for start in stride(from: 0, to: all.count, by: 500) {
            let chunk = all[start..<min(start + 500, all.count)]
            let sql =
                selectSQL(table) + " WHERE id IN (" + Array(repeating: "?", count: chunk.count).joined(separator: ",")
                + ")"
            let statement = chunk.count == 500 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(chunk))
            while let row = try cursor.next() {
                try body(row[0], row)
            }
        }
    }

    /// Row `id` of `table` as a pull sends it, with the versions as stored (not parsed), or nil
    /// when the row was never seen.
    public func change(_ table: TableSchema, id: String, seq: Int64, _ db: Database) throws -> RowChange? {
        let statement = try db.cachedStatement(sql: selectSQL(table) + " WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        var change = change(from: row, id: id, table: table)
        change.seq = seq
        return change
    }

    private func change(from row: Row, id: String, table: TableSchema) -> RowChange {
        var change = RowChange(seq: 0, table: table.name, row: id, kind: .row)
        var index = 1
        for column in table.columns {
            if let version: String = row[index + 1] {
                change.fields[column.name] = FieldValue(row[index], as: column.type)
                change.versions[column.name] = version
            }
            index += 2
        }
        change.deleted = row[index]
        return change
    }

    /// Writes `state` as the merged state of row `id` of `table`.
    public func save(_ table: TableSchema, id: String, state: RowState, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: statements(table).upsert)
        // Existential values: GRDB maps them without the key-path call its generic path makes.
        var values: [(any DatabaseValueConvertible)?] = [id]
        values.reserveCapacity(table.columns.count * 2 + 2)
        for column in table.columns {
            values.append(state.values[column.name]?.databaseValue)
            values.append(state.versions[column.name]?.description)
        }
        values.append(state.tombstone?.description)
        // The statement is built from the schema with exactly these placeholders.
        statement.setUncheckedArguments(StatementArguments(values))
        try statement.execute()
    }

    /// Merges `operation` into its row and saves the result when it changed.
    ///
    /// - Returns: the row's state before and after the merge.
    @discardableResult
    public func apply(_ operation: SyncOperation, _ db: Database) throws -> (before: RowState?, after: RowState) {
        guard let table = schema.table(operation.table) else {
            throw Rejection(.unknownTable, "there is no table '\(operation.table)'")
        }
        let before = try load(table, id: operation.row, db)
        return (before, try apply(operation, over: before, db))
    }

    /// Merges `operation` into `before`, the row's state the caller has just loaded in this
    /// transaction, and saves the result when it changed.
    ///
    /// - Returns: the row's state after the merge.
    public func apply(_ operation: SyncOperation, over before: RowState?, _ db: Database) throws -> RowState {
        guard let table = schema.table(operation.table) else {
            throw Rejection(.unknownTable, "there is no table '\(operation.table)'")
        }
        var operation = operation
        operation.fields = table.normalised(operation.fields)
        let after = Merge.apply(operation, to: before)
        if after != before {
            try save(table, id: operation.row, state: after, db)
        }
        return after
    }

    /// The live (not deleted) row `id` of `table`: its non-null values by column, or nil.
    public func values(_ table: TableSchema, id: String, _ db: Database) throws -> [String: FieldValue]? {
        guard let state = try load(table, id: id, db), !state.isDeleted else { return nil }
        return state.values.filter { $0.value != .null }
    }

    /// Calls `body` with each live row of `table` in id order: its id and non-null values.
    public func forEachRow(
        _ table: TableSchema, _ db: Database, _ body: (String, [String: FieldValue]) throws -> Void
    ) throws {
        let cursor = try Row.fetchCursor(db, sql: selectSQL(table) + " WHERE _deleted IS NULL ORDER BY id")
        while let row = try cursor.next() {
            let state = state(from: row, table: table)
            try body(row[0], state.values.filter { $0.value != .null })
        }
    }

    /// The organisations whose live institution is assigned to recommendation `id` by a live
    /// assignment, directly or through a live cluster holding it: the access policy's assigned
    /// institutions, answered the same way by the server's store and by a replica.
    public func assignedOrganisations(recommendation id: String, _ db: Database) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT i.org_id FROM assignment a JOIN institution i ON i.id = a.institution_id
                        WHERE a._deleted IS NULL AND i._deleted IS NULL AND i.org_id IS NOT NULL
                          AND (a.recommendation_id = ?1 OR a.cluster_id IN (
                            SELECT m.cluster_id FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id
                            WHERE m.recommendation_id = ?1 AND m._deleted IS NULL AND c._deleted IS NULL))
                        """),
                arguments: [id]))
    }

    /// The organisations whose institution is assigned to live cluster `id` itself (not to one
    /// of its recommendations): those whose work covers the whole cluster.
    public func assignedOrganisations(cluster id: String, _ db: Database) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT i.org_id FROM assignment a JOIN institution i ON i.id = a.institution_id
                        JOIN cluster c ON c.id = a.cluster_id
                        WHERE a._deleted IS NULL AND i._deleted IS NULL AND c._deleted IS NULL
                          AND i.org_id IS NOT NULL AND a.cluster_id = ?
                        """),
                arguments: [id]))
    }

    /// A SHA-256 over every live row's values, in schema and id order (hex).
    ///
    /// Two databases holding the same live rows with the same values have the same digest,
    /// whatever order the operations arrived in; versions and tombstones do not enter it.
    public func digest(_ db: Database, including: (String, String) throws -> Bool = { _, _ in true }) throws -> String {
        var hasher = SHA256()
        for table in schema.tables {
            try forEachRow(table, db) { id, values in
                guard try including(table.name, id) else { return }
                var line = "\(table.name)\u{1F}\(id)"
                for column in table.columns {
                    guard let value = values[column.name] else { continue }
                    line += "\u{1E}\(column.name)\u{1F}" + Self.canonical(value)
                }
                line += "\n"
                hasher.update(data: Data(line.utf8))
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func canonical(_ value: FieldValue) -> String {
        switch value {
        case .null: "n"
        case .bool(let flag): flag ? "b1" : "b0"
        case .integer(let number): "i\(number)"
        case .real(let number): "r\(number)"
        case .text(let text): "s\(text.utf8.count):\(text)"
        case .list(let items): "l\(items.count):" + items.map { "\($0.utf8.count):\($0)" }.joined()
        }
    }

    private func selectSQL(_ table: TableSchema) -> String {
        statements(table).select
    }

    private func statements(_ table: TableSchema) -> (select: String, upsert: String) {
        sql[table.name] ?? RowStore(schema: Schema(tables: [table])).sql[table.name]!
    }

    private func state(from row: Row, table: TableSchema) -> RowState {
        var state = RowState()
        var index = 1
        for column in table.columns {
            let value: DatabaseValue = row[index]
            let version: String? = row[index + 1]
            index += 2
            if let version, let parsed = FieldVersion(version) {
                state.values[column.name] = FieldValue(value, as: column.type)
                state.versions[column.name] = parsed
            }
        }
        if let tombstone: String = row[index] {
            state.tombstone = FieldVersion(tombstone)
        }
        return state
    }
}
