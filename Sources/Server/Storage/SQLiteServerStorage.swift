import Foundation
import GRDB
import Shared

/// The embedded SQLite implementation of `ServerStorage` (WAL mode, one file per deployment).
///
/// The one database facade of a server process: a `DatabasePool`, so pulls read while a push
/// writes, and admin commands in other processes see the same file.
public struct SQLiteServerStorage: ServerStorage {
    /// The database file's name inside the data directory.
    public static let fileName = "followup-server.sqlite"

    let writer: any DatabaseWriter
    let rows: RowStore

    /// Opens (creating if needed) the storage in directory `dataDirectory`.
    public init(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        try self.init(writer: DatabasePool(path: path, configuration: Self.configuration()))
    }

    /// Uses an existing database writer (an in-memory `DatabaseQueue` in tests).
    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        self.rows = RowStore(schema: .current)
        try Self.migrator.migrate(writer)
    }

    /// The connection settings: foreign keys, a busy timeout, and full sync so that an
    /// acknowledged push survives a power cut as well as a crash.
    public static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE organisation (
                      id TEXT PRIMARY KEY NOT NULL,
                      name TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN ('secretariat', 'ministry', 'parliament', 'nhri', 'ngo')),
                      created_at INTEGER NOT NULL
                    );
                    CREATE TABLE user_account (
                      name TEXT PRIMARY KEY NOT NULL,
                      org_id TEXT NOT NULL REFERENCES organisation(id),
                      password_hash TEXT NOT NULL,
                      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                      created_at INTEGER NOT NULL
                    );
                    CREATE TABLE device (
                      id TEXT PRIMARY KEY NOT NULL,
                      user_name TEXT NOT NULL REFERENCES user_account(name),
                      name TEXT,
                      created_at INTEGER NOT NULL
                    );
                    CREATE TABLE auth_session (
                      token_hash TEXT PRIMARY KEY NOT NULL,
                      device_id TEXT NOT NULL REFERENCES device(id),
                      created_at INTEGER NOT NULL,
                      revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
                    );
                    CREATE TABLE op_log (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      op_id TEXT NOT NULL UNIQUE,
                      table_name TEXT NOT NULL,
                      row_id TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN ('upsert', 'delete')),
                      fields TEXT NOT NULL,
                      hlc TEXT NOT NULL,
                      replica_id TEXT NOT NULL REFERENCES device(id),
                      author TEXT NOT NULL REFERENCES user_account(name),
                      org_id TEXT NOT NULL REFERENCES organisation(id),
                      received_at INTEGER NOT NULL
                    );
                    """)
            try Schema.v1.createTables(db)
        }
        migrator.registerMigration("v2") { db in
            try migrateToDomainSchema(db)
        }
        migrator.registerMigration("v3") { db in
            try migrateToScopedFeed(db)
        }
        return migrator
    }
}

extension SQLiteServerStorage {
    public func addOrganisation(id: String, name: String, kind: OrganisationKind) async throws {
        let rows = self.rows
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM organisation WHERE id = ?", arguments: [id]) == true {
                throw ServiceError(.malformedRequest, "an organisation with id '\(id)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO organisation (id, name, kind, created_at) VALUES (?, ?, ?, ?)",
                arguments: [id, name, kind.rawValue, SystemWallClock().nowMillis()])
            try Self.recordInstitution(forOrganisation: id, name: name, kind: kind.rawValue, rows: rows, db)
        }
    }

    public func addUser(name: String, org: String, passwordHash: String) async throws {
        try await writer.write { db in
            try Self.requireOrganisation(org, db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user_account WHERE name = ?", arguments: [name]) == true {
                throw ServiceError(.malformedRequest, "a user named '\(name)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO user_account (name, org_id, password_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, org, passwordHash, SystemWallClock().nowMillis()])
        }
    }

    public func setUserDisabled(name: String, disabled: Bool) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE user_account SET disabled = ? WHERE name = ?", arguments: [disabled, name])
            guard db.changesCount == 1 else {
                throw ServiceError(.malformedRequest, "there is no user named '\(name)'")
            }
        }
    }

    public func credentials(user: String) async throws -> (passwordHash: String, disabled: Bool)? {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT password_hash, disabled FROM user_account WHERE name = ?", arguments: [user])
            else { return nil }
            return (row[0], row[1])
        }
    }

    public func openSession(
        user: String, replica: String?, deviceName: String?, tokenHash: String, now: Int64
    ) async throws -> Session {
        try await writer.write { db in
            var deviceID: String
            if let replica,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM device WHERE id = ? AND user_name = ?", arguments: [replica, user])
                    == true
            {
                deviceID = replica
            } else {
                deviceID = UUIDv7.make(millis: now)
                try db.execute(
                    sql: "INSERT INTO device (id, user_name, name, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [deviceID, user, deviceName, now])
            }
            try db.execute(
                sql: "INSERT INTO auth_session (token_hash, device_id, created_at) VALUES (?, ?, ?)",
                arguments: [tokenHash, deviceID, now])
            guard let (session, disabled) = try Self.fetchSession(db, tokenHash: tokenHash), !disabled else {
                throw ServiceError(.accountDisabled, "the account '\(user)' is disabled")
            }
            return session
        }
    }

    public func session(tokenHash: String) async throws -> (session: Session, disabled: Bool)? {
        try await writer.read { db in try Self.fetchSession(db, tokenHash: tokenHash) }
    }

    private static func fetchSession(_ db: Database, tokenHash: String) throws -> (session: Session, disabled: Bool)? {
        let sql = """
            SELECT u.name, o.id, o.kind, d.id, u.disabled
            FROM auth_session s
            JOIN device d ON d.id = s.device_id
            JOIN user_account u ON u.name = d.user_name
            JOIN organisation o ON o.id = u.org_id
            WHERE s.token_hash = ? AND s.revoked = 0
            """
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [tokenHash]),
            let kind = OrganisationKind(rawValue: row[2])
        else { return nil }
        return (Session(user: row[0], org: row[1], orgKind: kind, replica: row[3]), row[4])
    }

    /// Throws unless `org` is an organisation users may belong to (not the operator's).
    private static func requireOrganisation(_ org: String, _ db: Database) throws {
        guard
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM organisation WHERE id = ? AND kind != 'operator'", arguments: [org]) == true
        else {
            throw ServiceError(.malformedRequest, "there is no organisation '\(org)'; add it first with add-org")
        }
    }

    public func moveUser(name: String, org: String) async throws {
        try await writer.write { db in
            try Self.requireOrganisation(org, db)
            try db.execute(
                sql: "UPDATE user_account SET org_id = ?, moved_at = ? WHERE name = ? AND org_id != '_operator'",
                arguments: [org, SystemWallClock().nowMillis(), name])
            guard db.changesCount == 1 else {
                throw ServiceError(.malformedRequest, "there is no user named '\(name)'")
            }
        }
    }
}

extension SQLiteServerStorage {
    public func push(
        _ operations: [SyncOperation], session: Session, now: Int64, maxSkewMillis: Int64
    ) async throws -> [Verdict] {
        let rows = self.rows
        return try await writer.write { db in
            var verdicts: [Verdict] = []
            verdicts.reserveCapacity(operations.count)
            var feed = try FeedClock(db)
            let keys = session.viewer.audienceKeys.map(\.description)
            for operation in operations {
                if let known = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT seq, replica_id FROM op_log WHERE op_id = ?"),
                    arguments: [operation.id])
                {
                    // A re-sent operation gets its first verdict again, but only for its own replica.
                    if known["replica_id"] == session.replica {
                        verdicts.append(.accepted(operation.id, seq: known["seq"]))
                    } else {
                        verdicts.append(
                            .rejected(
                                operation.id,
                                Rejection(.forgedReplica, "operation id \(operation.id) belongs to another replica")))
                    }
                    continue
                }
                switch try Self.decide(
                    operation, rows: rows, session: session, now: now, maxSkewMillis: maxSkewMillis, db)
                {
                case .failure(let rejection):
                    // The replica restores the row from this, so it never keeps a refused value.
                    let current =
                        rejection.code == .clockSkew || rows.schema.table(operation.table) == nil
                            || !OperationRules.isTimeOrderedID(operation.row)
                        ? nil
                        : try Self.currentRow(table: operation.table, id: operation.row, keys: keys, rows: rows, db)
                    verdicts.append(.rejected(operation.id, rejection, current: current))
                case .success(let (stamped, before)):
                    let after = try rows.apply(stamped, over: before, db)
                    try Self.refileAfterChange(
                        table: stamped.table, id: stamped.row, before: before, after: after, rows: rows, feed: &feed, db
                    )
                    let seq = try Self.appendToLog(stamped, receivedAt: now, db)
                    verdicts.append(.accepted(operation.id, seq: seq))
                }
            }
            try feed.save(db)
            return verdicts
        }
    }

    /// Validates one operation for `session` and returns it stamped for the log with the row's
    /// state before it (nil for a new row), or the rejection.
    private static func decide(
        _ operation: SyncOperation, rows: RowStore, session: Session, now: Int64, maxSkewMillis: Int64,
        _ db: Database
    ) throws -> Result<(SyncOperation, RowState?), Rejection> {
        var checked: SyncOperation
        switch OperationRules.validate(operation, schema: rows.schema) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let operation): checked = operation
        }
        guard checked.replica == session.replica else {
            return .failure(
                Rejection(
                    .forgedReplica,
                    "operation \(operation.id) names replica \(operation.replica), but this session belongs to replica \(session.replica)"
                ))
        }
        if checked.hlc.physical > now + maxSkewMillis {
            return .failure(
                Rejection(
                    .clockSkew,
                    "operation \(operation.id) is stamped \(checked.hlc.physical - now) ms ahead of the server's clock (the limit is \(maxSkewMillis) ms); correct the device clock or re-stamp from server_time"
                ))
        }
        guard let table = rows.schema.table(checked.table) else {
            return .failure(Rejection(.unknownTable, "there is no table '\(checked.table)'"))
        }
        let existing = try rows.load(table, id: checked.row, db)
        // A row the session may not read is refused before any check that would describe it.
        if existing != nil,
            try !Self.isVisible(
                table: table.name, id: checked.row, keys: session.viewer.audienceKeys.map(\.description), db)
        {
            return .failure(
                Rejection(
                    .forbidden,
                    "\(session.org) (\(session.orgKind.rawValue)) may not change \(table.name) \(checked.row): it is not among the rows it may see"
                ))
        }
        if existing == nil {
            checked = OperationRules.withDefaults(checked, table: table)
        }
        if let rejection = OperationRules.checkAgainstRow(checked, existing: existing, table: table) {
            return .failure(rejection)
        }
        if existing == nil && checked.kind == .upsert {
            checked.fields["owner_org"] = .text(session.org)
            checked.fields["created_by"] = .text(session.user)
        }
        checked.author = session.user
        checked.org = session.org
        // Authorised against the whole row, as it is and as the operation would leave it.
        let kind: WriteKind = existing == nil ? .create : checked.kind == .delete ? .delete : .update
        let after = checked.kind == .delete ? nil : Merge.apply(checked, to: existing)
        let decision = try AccessPolicy.standard.decideWrite(
            kind, table: table.name, before: existing?.values, after: after?.values, viewer: session.viewer,
            facts: SQLPolicyFacts(db: db, rows: rows))
        guard decision.allowed else {
            return .failure(Rejection(.forbidden, decision.reason + " (policy line \(decision.line))"))
        }
        return .success((checked, existing))
    }

    public func operations(after cursor: Int64, limit: Int) async throws -> OperationPage {
        try await writer.read { db in
            let decoder = WireCoding.decoder()
            let statement = try db.cachedStatement(
                sql: """
                    SELECT seq, op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id
                    FROM op_log WHERE seq > ? ORDER BY seq LIMIT ?
                    """)
            var operations: [SyncOperation] = []
            let rows = try Row.fetchCursor(statement, arguments: [cursor, limit + 1])
            var more = false
            while let row = try rows.next() {
                if operations.count == limit {
                    more = true
                    break
                }
                let fieldsText: String = row[5]
                let hlcText: String = row[6]
                let kindText: String = row[4]
                guard let hlc = HLCTimestamp(hlcText), let kind = SyncOperation.Kind(rawValue: kindText) else {
                    throw ServiceError(.internalError, "operation log entry \(row[0] as Int64) is unreadable")
                }
                operations.append(
                    SyncOperation(
                        id: row[1], table: row[2], row: row[3], kind: kind,
                        fields: try decoder.decode([String: FieldValue].self, from: Data(fieldsText.utf8)),
                        hlc: hlc, replica: row[7], seq: row[0], author: row[8], org: row[9]))
            }
            return OperationPage(operations: operations, cursor: operations.last?.seq ?? cursor, more: more)
        }
    }

    public func digest() async throws -> String {
        let rows = self.rows
        return try await writer.read { db in try rows.digest(db) }
    }

    public func digest(visibleTo viewer: Viewer) async throws -> String {
        let rows = self.rows
        let keys = viewer.audienceKeys.map(\.description)
        return try await writer.read { db in
            try rows.digest(db) { table, id in try Self.isVisible(table: table, id: id, keys: keys, db) }
        }
    }

    public func explain(user: String, table: String, id: String) async throws -> AccessExplanation {
        let rows = self.rows
        return try await writer.read { db in
            guard
                let account = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT o.id, o.kind FROM user_account u JOIN organisation o ON o.id = u.org_id WHERE u.name = ?",
                    arguments: [user])
            else { throw ServiceError(.malformedRequest, "there is no user named '\(user)'") }
            guard let role = OrganisationKind(rawValue: account[1]) else {
                throw ServiceError(.malformedRequest, "'\(user)' is the server's own identity and has no role")
            }
            guard let schemaTable = rows.schema.table(table) else {
                throw ServiceError(.malformedRequest, "there is no table '\(table)'")
            }
            let viewer = Viewer(org: account[0], role: role)
            let facts = SQLPolicyFacts(db: db, rows: rows)
            guard let values = try rows.values(schemaTable, id: id, db) else {
                let none = PolicyDecision(allowed: false, line: "none", reason: "there is no live \(table) \(id)")
                return AccessExplanation(viewer: viewer, exists: false, read: none, write: none)
            }
            return AccessExplanation(
                viewer: viewer, exists: true,
                read: try AccessPolicy.standard.decideRead(table: table, values: values, viewer: viewer, facts: facts),
                write: try AccessPolicy.standard.decideWrite(
                    .update, table: table, before: values, after: values, viewer: viewer, facts: facts))
        }
    }

    public func operationCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM op_log") ?? 0 }
    }
}
