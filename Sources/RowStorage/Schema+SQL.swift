import GRDB
import Shared

extension TableSchema {
    /// The `CREATE TABLE` statement of the materialised table.
    ///
    /// Each column is followed by its version column (`<name>__v`, the winning writer's
    /// `FieldVersion`), and `_deleted` holds the tombstone's version once the row is deleted.
    public var createSQL: String {
        var parts = ["id TEXT PRIMARY KEY NOT NULL"]
        for column in columns {
            parts.append("\(column.name) \(column.type.sqlType)")
            parts.append("\(column.versionColumn) TEXT")
        }
        parts.append("_deleted TEXT")
        return "CREATE TABLE \(name) (\(parts.joined(separator: ", ")))"
    }
}

extension Schema {
    /// Creates every materialised table of the schema in `db`.
    public func createTables(_ db: Database) throws {
        for table in tables {
            try db.execute(sql: table.createSQL)
        }
    }
}

extension Schema {
    /// The statements that turn `earlier`'s tables into this schema's.
    ///
    /// New tables are created and new columns (with their version columns) added; existing rows
    /// and columns are untouched.
    ///
    /// A schema may only grow: renaming or dropping a table or column is not expressible here.
    public func additions(since earlier: Schema) -> [String] {
        var statements: [String] = []
        for table in tables {
            guard let old = earlier.table(table.name) else {
                statements.append(table.createSQL)
                continue
            }
            for column in table.columns where old.column(column.name) == nil {
                statements.append("ALTER TABLE \(table.name) ADD COLUMN \(column.name) \(column.type.sqlType)")
                statements.append("ALTER TABLE \(table.name) ADD COLUMN \(column.versionColumn) TEXT")
            }
        }
        return statements
    }
}
