import GRDB

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
