/// The type of a column, which decides the JSON values it accepts and how SQLite stores them.
public enum ColumnType: Sendable, Hashable {
    /// A UTF-8 string.
    case text
    /// A 64-bit signed integer.
    case integer
    /// A floating-point number (integers are accepted too).
    case real
    /// `true` or `false`, stored as 0 or 1.
    case boolean
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// One of a fixed list of strings.
    case enumeration([String])
    /// A row id (UUID) of a row in the named table.
    case reference(String)

    /// The SQLite declared type of the column.
    public var sqlType: String {
        switch self {
        case .text, .date, .enumeration, .reference: "TEXT"
        case .integer, .boolean: "INTEGER"
        case .real: "REAL"
        }
    }
}

/// One column of a synchronised table.
public struct ColumnSchema: Sendable, Hashable {
    /// The snake_case column name.
    public var name: String
    /// The values it accepts.
    public var type: ColumnType
    /// Whether a row must have a non-null value here from its creation on.
    public var isRequired: Bool
    /// Whether only the server sets it (from the authenticated session); clients may not write it.
    public var isServerManaged: Bool

    /// Creates a column.
    public init(_ name: String, _ type: ColumnType, required: Bool = false, serverManaged: Bool = false) {
        self.name = name
        self.type = type
        self.isRequired = required
        self.isServerManaged = serverManaged
    }

    /// The name of the column holding this column's last-writer version.
    public var versionColumn: String { name + "__v" }
}

/// One synchronised table: a row id plus columns merged field by field.
public struct TableSchema: Sendable, Hashable {
    /// The snake_case table name.
    public var name: String
    /// The columns, server-managed ones included, in declaration order.
    public var columns: [ColumnSchema]
    private var index: [String: Int]

    /// Creates a table; every table also gets the server-managed `owner_org` and `created_by`.
    public init(_ name: String, columns: [ColumnSchema]) {
        self.name = name
        self.columns =
            [
                ColumnSchema("owner_org", .text, serverManaged: true),
                ColumnSchema("created_by", .text, serverManaged: true),
            ] + columns
        var index: [String: Int] = [:]
        for (position, column) in self.columns.enumerated() { index[column.name] = position }
        self.index = index
    }

    /// The column called `name`, if the table has one.
    public func column(_ name: String) -> ColumnSchema? {
        index[name].map { columns[$0] }
    }
}

/// The set of synchronised tables, declared once and used by client and server alike.
public struct Schema: Sendable {
    /// The tables in a stable order (the digest and migrations follow it).
    public var tables: [TableSchema]
    private var index: [String: Int]

    /// Creates a schema from its tables.
    public init(tables: [TableSchema]) {
        self.tables = tables
        var index: [String: Int] = [:]
        for (position, table) in tables.enumerated() { index[table.name] = position }
        self.index = index
    }

    /// The table called `name`, if the schema has one.
    public func table(_ name: String) -> TableSchema? {
        index[name].map { tables[$0] }
    }
}

extension TableSchema {
    /// Converts values to the form the column's type stores: whole numbers in real columns
    /// become reals (JSON writes `2.0` as `2`), 0 and 1 in boolean columns become booleans.
    public func normalised(_ fields: [String: FieldValue]) -> [String: FieldValue] {
        var result = fields
        for (name, value) in fields {
            switch (column(name)?.type, value) {
            case (.real, .integer(let number)): result[name] = .real(Double(number))
            case (.boolean, .integer(let number)) where number == 0 || number == 1: result[name] = .bool(number == 1)
            default: break
            }
        }
        return result
    }
}

extension Schema {
    /// The schema both sides use now.
    ///
    /// When the schema grows, add `Schema.v2` beside `v1`, point `current` at it, and register
    /// new migrations (client and server) that add its tables and columns; `v1` itself never
    /// changes, since the shipped `v1` migrations are built from it.
    public static let current = v1

    /// The tables of schema version 1, the sync core's first slice of the domain (frozen).
    public static let v1 = Schema(tables: [
        TableSchema(
            "recommendation",
            columns: [
                ColumnSchema("text", .text, required: true),
                ColumnSchema("document_symbol", .text),
                ColumnSchema("paragraph", .text),
                ColumnSchema("state_under_review", .text),
                ColumnSchema("session", .integer),
                ColumnSchema(
                    "position", .enumeration(["supported", "supported_in_part", "noted", "pending"])),
            ]),
        TableSchema(
            "action",
            columns: [
                ColumnSchema("title", .text, required: true),
                ColumnSchema(
                    "status", .enumeration(["planned", "in_progress", "completed", "cancelled"])),
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("description", .text),
                ColumnSchema("due_date", .date),
                ColumnSchema("budget_amount", .real),
            ]),
        TableSchema(
            "progress_update",
            columns: [
                ColumnSchema("action_id", .reference("action")),
                ColumnSchema("date", .date),
                ColumnSchema("narrative", .text),
                ColumnSchema("value", .real),
            ]),
    ])
}
