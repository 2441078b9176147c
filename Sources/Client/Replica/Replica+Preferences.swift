import GRDB

extension Replica {
    /// The value of preference `name` (such as `language`) of the user signed in on this
    /// replica, if they set one.
    ///
    /// Preferences stay on this computer (`user_preference`), are never synced, and follow the
    /// user: another account signing in on the replica has its own.
    public func preference(_ name: String) throws -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM user_preference WHERE user_name = ? AND name = ?",
                arguments: [try Self.settings(db).userName, name])
        }
    }

    /// Sets preference `name` of the user signed in on this replica to `value`.
    public func setPreference(_ name: String, to value: String) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO user_preference (user_name, name, value) VALUES (?, ?, ?)
                    ON CONFLICT (user_name, name) DO UPDATE SET value = excluded.value
                    """, arguments: [try Self.settings(db).userName, name, value])
        }
    }
}
