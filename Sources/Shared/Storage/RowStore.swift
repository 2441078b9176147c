import Crypto
import Foundation
import GRDB

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

    /// Writes `state` as the merged state of row `id` of `table`.
    public func save(_ table: TableSchema, id: String, state: RowState, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: statements(table).upsert)
        var values: [DatabaseValue] = [id.databaseValue]
        values.reserveCapacity(table.columns.count * 2 + 2)
        for column in table.columns {
            values.append(state.values[column.name]?.databaseValue ?? .null)
            values.append(state.versions[column.name]?.description.databaseValue ?? .null)
        }
        values.append(state.tombstone?.description.databaseValue ?? .null)
        try statement.execute(arguments: StatementArguments(values))
    }

    /// Merges `operation` into its row and saves the result when it changed.
    ///
    /// - Returns: the row's state before and after the merge.
    @discardableResult
    public func apply(_ operation: SyncOperation, _ db: Database) throws -> (before: RowState?, after: RowState) {
        guard let table = schema.table(operation.table) else {
            throw Rejection(.unknownTable, "there is no table '\(operation.table)'")
        }
        var operation = operation
        operation.fields = table.normalised(operation.fields)
        let before = try load(table, id: operation.row, db)
        let after = Merge.apply(operation, to: before)
        if after != before {
            try save(table, id: operation.row, state: after, db)
        }
        return (before, after)
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
