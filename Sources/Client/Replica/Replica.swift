import Foundation
import GRDB
import Shared

/// A local replica: one SQLite file holding the visible rows with their per-field versions,
/// the outbox of operations not yet accepted, refused operations, the cursor and the session.
///
/// The one database facade of a client process. Each method is one transaction: a local edit
/// writes the row change and its operation together, a pulled page and its cursor together.
public struct Replica: Sendable {
    /// The database file's name inside the replica directory.
    public static let fileName = "replica.sqlite"

    private let writer: any DatabaseWriter
    private let rows: RowStore
    private let wallClock: any WallClock

    /// The tables this replica holds.
    public var schema: Schema { rows.schema }

    /// Opens the replica in `directory`; fails with `not_initialised` when there is none.
    public init(directory: String, clock: any WallClock = SystemWallClock()) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(
                .notInitialised,
                "there is no replica in \(directory); create one with: followup --replica \(directory) init --server URL --user NAME --password-stdin"
            )
        }
        try self.init(writer: DatabasePool(path: path, configuration: Self.configuration()), clock: clock)
        _ = try settings()
    }

    /// Creates a new replica in `directory` for a fresh sign-in.
    public static func create(
        directory: String, serverURL: String, login: LoginResponse, clock: any WallClock = SystemWallClock()
    ) throws -> Replica {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(
                .alreadyInitialised, "\(directory) already holds a replica; use 'followup login' to sign in again")
        }
        let replica = try Replica(writer: DatabasePool(path: path, configuration: configuration()), clock: clock)
        try replica.initialise(serverURL: serverURL, login: login)
        return replica
    }

    /// Uses an existing database writer (an in-memory queue in tests); runs the migrations.
    public init(writer: any DatabaseWriter, clock: any WallClock = SystemWallClock()) throws {
        self.writer = writer
        self.rows = RowStore(schema: .current)
        self.wallClock = clock
        let upgradingToScopedFeed = try writer.read { db in
            try db.tableExists("replica_settings") && !Self.migrator.appliedIdentifiers(db).contains("v3")
        }
        try Self.migrator.migrate(writer)
        if upgradingToScopedFeed {
            // Rows of other organisations' scopes, pulled before v3, may sit in free pages written
            // without secure_delete: rewrite the file and empty the write-ahead log.
            try writer.vacuum()
            checkpointAfterRemoval()
        }
    }

    /// Stores the identity of a fresh sign-in in a new, empty replica.
    public func initialise(serverURL: String, login: LoginResponse) throws {
        let offset = 0 as Int64
        try writer.write { db in
            try ReplicaSettings(
                replicaID: login.replica, serverURL: serverURL, userName: login.user, org: login.org,
                orgKind: login.orgKind, token: login.token, cursor: 0,
                hlcLast: HLCTimestamp(physical: 0).description, maxKnownHLC: HLCTimestamp(physical: 0).description,
                clockOffsetMillis: offset, lastSyncAt: nil
            ).insert(db)
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A purged row must not linger in free pages of the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE replica_settings (
                      singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                      replica_id TEXT NOT NULL,
                      server_url TEXT NOT NULL,
                      user_name TEXT NOT NULL,
                      org TEXT NOT NULL,
                      org_kind TEXT NOT NULL,
                      token TEXT,
                      cursor INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),
                      hlc_last TEXT NOT NULL,
                      max_known_hlc TEXT NOT NULL,
                      clock_offset_ms INTEGER NOT NULL DEFAULT 0,
                      last_sync_at INTEGER
                    );
                    CREATE TABLE outbox (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      op_id TEXT NOT NULL UNIQUE,
                      op TEXT NOT NULL
                    );
                    CREATE TABLE rejected_op (
                      op_id TEXT PRIMARY KEY NOT NULL,
                      op TEXT NOT NULL,
                      code TEXT NOT NULL,
                      message TEXT NOT NULL,
                      rejected_at INTEGER NOT NULL
                    );
                    """)
            try Schema.v1.createTables(db)
        }
        migrator.registerMigration("v2") { db in
            for statement in Schema.v2.additions(since: .v1) {
                try db.execute(sql: statement)
            }
            // Local full-text search and lookups; not part of the synced schema.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE recommendation_fts USING fts5(text, content='recommendation', content_rowid='rowid');
                    INSERT INTO recommendation_fts(recommendation_fts) VALUES ('rebuild');
                    CREATE TRIGGER recommendation_fts_insert AFTER INSERT ON recommendation BEGIN
                      INSERT INTO recommendation_fts(rowid, text) VALUES (new.rowid, new.text);
                    END;
                    CREATE TRIGGER recommendation_fts_delete AFTER DELETE ON recommendation BEGIN
                      INSERT INTO recommendation_fts(recommendation_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
                    END;
                    CREATE TRIGGER recommendation_fts_update AFTER UPDATE OF text ON recommendation BEGIN
                      INSERT INTO recommendation_fts(recommendation_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
                      INSERT INTO recommendation_fts(rowid, text) VALUES (new.rowid, new.text);
                    END;
                    CREATE INDEX recommendation_upr_info_key ON recommendation(upr_info_key);
                    CREATE INDEX recommendation_uhri_id ON recommendation(uhri_id);
                    CREATE INDEX action_recommendation ON action(recommendation_id);
                    CREATE INDEX assignment_recommendation ON assignment(recommendation_id);
                    CREATE INDEX assignment_cluster ON assignment(cluster_id);
                    CREATE INDEX cluster_member_cluster ON cluster_member(cluster_id);
                    CREATE INDEX cluster_member_recommendation ON cluster_member(recommendation_id);
                    CREATE INDEX institution_org ON institution(org_id);
                    """)
        }
        migrator.registerMigration("v3") { db in
            // Pulls became a scoped feed of whole rows: its cursor is not the old log cursor, and
            // rows pulled before may lie outside this replica's scope. Start over, keeping edits.
            try resetSyncedRows(db, rows: RowStore(schema: .v2))
        }
        migrator.registerMigration("v4") { db in
            // Pulled pages index their new recommendations together (`DeferredSearchIndex`):
            // the insert trigger stands aside while a page pauses it.
            try db.execute(
                sql: """
                    CREATE TABLE search_index_deferral (
                      singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                      paused INTEGER NOT NULL CHECK (paused IN (0, 1))
                    );
                    INSERT INTO search_index_deferral (singleton, paused) VALUES (1, 0);
                    DROP TRIGGER recommendation_fts_insert;
                    CREATE TRIGGER recommendation_fts_insert AFTER INSERT ON recommendation
                    WHEN (SELECT paused FROM search_index_deferral) = 0 BEGIN
                      INSERT INTO recommendation_fts(rowid, text) VALUES (new.rowid, new.text);
                    END;
                    """)
        }
        return migrator
    }()

    /// Runs `body` with read access to the replica's database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }
}

// MARK: - Reading

extension Replica {
    /// The replica's settings.
    public func settings() throws -> ReplicaSettings {
        try writer.read { db in try Self.settings(db) }
    }

    static func settings(_ db: Database) throws -> ReplicaSettings {
        guard let settings = try ReplicaSettings.fetchOne(db) else {
            throw ReplicaError(.notInitialised, "the replica was never signed in; run 'followup init'")
        }
        return settings
    }

    /// The table called `name`, or a `unknown_table` error listing the tables.
    public func table(_ name: String) throws -> TableSchema {
        guard let table = schema.table(name) else {
            let names = schema.tables.map(\.name).joined(separator: ", ")
            throw ReplicaError(.unknownTable, "there is no table '\(name)'; tables are: \(names)")
        }
        return table
    }

    /// The live row `id` of `table`: its non-null values, or nil when absent or deleted.
    public func row(_ tableName: String, id: String) throws -> [String: FieldValue]? {
        let table = try table(tableName)
        return try writer.read { db in try rows.values(table, id: id, db) }
    }

    /// Every live row of `table`, in id order.
    public func rows(_ tableName: String) throws -> [(id: String, values: [String: FieldValue])] {
        let table = try table(tableName)
        return try writer.read { db in
            var result: [(id: String, values: [String: FieldValue])] = []
            try rows.forEachRow(table, db) { id, values in result.append((id, values)) }
            return result
        }
    }

    /// The digest of the live rows (`RowStore.digest`); equal on replicas holding the same rows.
    public func digest() throws -> String {
        try writer.read { db in try rows.digest(db) }
    }

    /// A summary of the replica's sync state.
    public func status() throws -> ReplicaStatus {
        try writer.read { db in
            let settings = try Self.settings(db)
            return ReplicaStatus(
                replica: settings.replicaID, server: settings.serverURL, user: settings.userName, org: settings.org,
                pending: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0,
                rejected: try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected_op") ?? 0,
                cursor: settings.cursor, lastSyncAt: settings.lastSyncAt, signedIn: settings.token != nil,
                clockOffsetMillis: settings.clockOffsetMillis)
        }
    }

    /// The operations the server refused, oldest first.
    public func rejectedOperations() throws -> [RejectedOperation] {
        try writer.read { db in
            let decoder = WireCoding.decoder()
            return try Row.fetchAll(db, sql: "SELECT op, code, message FROM rejected_op ORDER BY rejected_at, op_id")
                .map { row in
                    RejectedOperation(
                        operation: try decoder.decode(SyncOperation.self, from: Data((row[0] as String).utf8)),
                        code: ErrorCode(rawValue: row[1]), message: row[2])
                }
        }
    }
}

// MARK: - Local edits

extension Replica {
    /// Sets fields of a row (creating it when `id` is nil or unknown) and records the operation.
    ///
    /// - Returns: the row id.
    @discardableResult
    public func put(_ tableName: String, id: String? = nil, fields: [String: FieldValue]) throws -> String {
        try put(tableName, rows: [(id, fields)]).first!
    }

    /// Sets fields of several rows of one table in one transaction: all are written or none.
    ///
    /// - Returns: the row ids, in order.
    public func put(_ tableName: String, rows edits: [(id: String?, fields: [String: FieldValue])]) throws -> [String] {
        try put(edits.map { RowEdit(table: tableName, id: $0.id, fields: $0.fields) })
    }

    /// Sets fields of rows of any tables in one transaction: all are written or none.
    ///
    /// - Returns: the row ids, in order.
    public func put(_ edits: [RowEdit]) throws -> [String] {
        let tables = try Dictionary(uniqueKeysWithValues: Set(edits.map(\.table)).map { ($0, try table($0)) })
        return try record { db, clock, settings in
            try edits.enumerated().map { index, edit in
                let table = tables[edit.table]!
                let hlc = clock.tick(now: now(settings))
                let rowID = edit.id ?? UUIDv7.make(millis: hlc.physical)
                var operation = SyncOperation(
                    id: UUIDv7.make(millis: hlc.physical), table: table.name, row: rowID, kind: .upsert,
                    fields: edit.fields, hlc: hlc, replica: settings.replicaID)
                if try rows.load(table, id: rowID, db) == nil {
                    operation = OperationRules.withDefaults(operation, table: table)
                }
                do {
                    return (try checked(operation, table: table, db), rowID)
                } catch let error as ReplicaError where edits.count > 1 {
                    throw ReplicaError(error.code, "item \(index + 1): \(error.message); nothing was written")
                }
            }
        }
    }

    /// Deletes a row for good and records the tombstone operation.
    public func delete(_ tableName: String, id: String) throws {
        let table = try table(tableName)
        _ = try record { db, clock, settings in
            let hlc = clock.tick(now: now(settings))
            let operation = SyncOperation(
                id: UUIDv7.make(millis: hlc.physical), table: table.name, row: id, kind: .delete, hlc: hlc,
                replica: settings.replicaID)
            guard try rows.load(table, id: id, db).map({ !$0.isDeleted }) == true else {
                throw ReplicaError(.rowNotFound, "there is no \(table.name) \(id) on this replica")
            }
            return [(try checked(operation, table: table, db), id)]
        }
    }

    /// Validates `operation` as the server will, so a clerk hears of a mistake at once.
    ///
    /// - Returns: the operation with its values normalised, exactly as the server will store it.
    private func checked(_ operation: SyncOperation, table: TableSchema, _ db: Database) throws -> SyncOperation {
        let normalised: SyncOperation
        switch OperationRules.validate(operation, schema: schema) {
        case .failure(let rejection):
            throw ReplicaError(rejection.code, rejection.message)
        case .success(let valid):
            normalised = valid
        }
        if let rejection = OperationRules.checkAgainstRow(
            normalised, existing: try rows.load(table, id: operation.row, db), table: table)
        {
            throw ReplicaError(rejection.code, rejection.message)
        }
        return normalised
    }

    /// Runs `makeOperations` in one write transaction, then merges and enqueues what it returns.
    private func record(
        _ makeOperations: (Database, inout HybridLogicalClock, ReplicaSettings) throws -> [(SyncOperation, String)]
    ) throws -> [String] {
        try writer.write { db in
            var settings = try Self.settings(db)
            var clock = settings.clock
            let made = try makeOperations(db, &clock, settings)
            let enqueue = try db.cachedStatement(sql: "INSERT INTO outbox (op_id, op) VALUES (?, ?)")
            for (operation, _) in made {
                try rows.apply(operation, db)
                try enqueue.execute(arguments: [operation.id, WireJSON.encode(operation)])
            }
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return made.map(\.1)
        }
    }

    private func now(_ settings: ReplicaSettings) -> Int64 {
        wallClock.nowMillis() + settings.clockOffsetMillis
    }
}

/// What applying a pulled page did.
public enum PageOutcome: Sendable, Equatable {
    /// The page was merged; `purged` rows left the replica's scope and were removed.
    case applied(purged: Int)
    /// The page belonged to another scope (the user moved organisation): the replica reset.
    case scopeChanged
}

/// One row change of a multi-row edit.
public struct RowEdit: Sendable, Equatable {
    /// The table.
    public var table: String
    /// The row id; nil creates a new row.
    public var id: String?
    /// The fields to set.
    public var fields: [String: FieldValue]

    /// Creates an edit.
    public init(table: String, id: String? = nil, fields: [String: FieldValue]) {
        self.table = table
        self.id = id
        self.fields = fields
    }
}

// MARK: - Sync steps

/// Pending operations as a push carries them, and where they end in the outbox.
public struct PendingBatch: Sendable {
    /// Creates a batch.
    public init(operations: [String], last: Int64) {
        self.operations = operations
        self.last = last
    }

    /// The operations' JSON objects, oldest first.
    public var operations: [String]
    /// The outbox position of the last one (the position asked for when there are none).
    public var last: Int64
}

/// What a push's verdicts did to the outbox.
public struct VerdictOutcome: Sendable, Equatable {
    /// Operations the server accepted (now gone from the outbox).
    public var accepted = 0
    /// Operations refused for good (moved to the rejected list).
    public var rejected = 0
    /// Operations refused because this replica's clock is ahead (still pending).
    public var clockSkew = 0
}

extension Replica {
    /// The oldest `limit` operations of the outbox, in the order they were made.
    public func pendingOperations(limit: Int) throws -> [SyncOperation] {
        let decoder = WireCoding.decoder()
        return try pendingBatch(after: 0, limit: limit).operations.map {
            try decoder.decode(SyncOperation.self, from: Data($0.utf8))
        }
    }

    /// The oldest `limit` operations of the outbox after outbox position `position`, as the
    /// JSON objects it keeps, which are exactly what a push carries (so a push neither decodes
    /// nor re-encodes them).
    public func pendingBatch(after position: Int64, limit: Int) throws -> PendingBatch {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT seq, op FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
                arguments: [position, limit])
            return PendingBatch(operations: rows.map { $0[1] }, last: rows.last?[0] ?? position)
        }
    }

    /// Applies a push's verdicts: accepted operations leave the outbox, refused ones move to the
    /// rejected list, and those refused for clock skew stay for re-stamping.
    public func record(_ verdicts: [Verdict]) throws -> VerdictOutcome {
        let decoder = WireCoding.decoder()
        let rows = self.rows
        var removedRows = false
        defer { if removedRows { checkpointAfterRemoval() } }
        return try writer.write { db in
            var restores: [(table: String, row: String, current: RowChange?)] = []
            var accepted: [SyncOperation] = []
            var settings = try Self.settings(db)
            var maxKnown = HLCTimestamp(settings.maxKnownHLC) ?? HLCTimestamp(physical: 0)
            var outcome = VerdictOutcome()
            let find = try db.cachedStatement(sql: "SELECT op FROM outbox WHERE op_id = ?")
            let remove = try db.cachedStatement(sql: "DELETE FROM outbox WHERE op_id = ?")
            // Most pushes are refused nothing: accepted operations matter below only for restores.
            let keepAccepted = verdicts.contains { $0.status == .rejected && $0.code != .clockSkew }
            for verdict in verdicts {
                guard let op = try String.fetchOne(find, arguments: [verdict.op]) else { continue }
                switch verdict.status {
                case .accepted:
                    outcome.accepted += 1
                    if keepAccepted {
                        let operation = try decoder.decode(SyncOperation.self, from: Data(op.utf8))
                        maxKnown = max(maxKnown, operation.hlc)
                        accepted.append(operation)
                    } else {
                        maxKnown = max(maxKnown, try Self.stamp(of: op, decoder))
                    }
                case .rejected where verdict.code == .clockSkew:
                    outcome.clockSkew += 1
                    continue
                case .rejected:
                    outcome.rejected += 1
                    let operation = try decoder.decode(SyncOperation.self, from: Data(op.utf8))
                    restores.append((operation.table, operation.row, verdict.current))
                    try db.execute(
                        sql:
                            "INSERT OR REPLACE INTO rejected_op (op_id, op, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            verdict.op, op, (verdict.code ?? .rejected).rawValue, verdict.message ?? "",
                            wallClock.nowMillis(),
                        ])
                }
                try remove.execute(arguments: [verdict.op])
            }
            // A refused edit is never kept silently: the row goes back to the server's state, with
            // the edits still pending on top, and the refused one waits in quarantine.
            removedRows = restores.contains { $0.current?.kind == .purge }
            var clock = settings.clock
            let now = now(settings)
            for restore in restores {
                guard let table = rows.schema.table(restore.table) else { continue }
                if let change = restore.current {
                    if let state = change.state {
                        try rows.save(table, id: restore.row, state: state, db)
                        // The server holds these versions: later local edits must stamp above them.
                        for version in Array(state.versions.values) + [state.tombstone].compactMap({ $0 }) {
                            maxKnown = max(maxKnown, version.hlc)
                            clock.receive(version.hlc, now: now)
                        }
                        // `current` was taken when the refused operation was decided; edits of the
                        // same push accepted after it are part of the server's row as well.
                        for operation in accepted where operation.table == table.name && operation.row == restore.row {
                            try rows.apply(operation, db)
                        }
                    } else {
                        try db.execute(sql: "DELETE FROM \(table.name) WHERE id = ?", arguments: [restore.row])
                    }
                }
                try Self.reapplyPending(table: table.name, row: restore.row, rows: rows, db)
            }
            settings.hlcLast = max(HLCTimestamp(settings.hlcLast) ?? clock.last, clock.last).description
            settings.maxKnownHLC = maxKnown.description
            try settings.update(db)
            return outcome
        }
    }

    /// The stamp of an encoded operation, read without decoding its fields.
    private struct Stamp: Decodable {
        var hlc: HLCTimestamp
    }

    /// The HLC of an operation as the outbox keeps it: found after its `"hlc":"` key (the
    /// writers put it there, and field names never contain quotes), else decoded.
    static func stamp(of encoded: String, _ decoder: JSONDecoder) throws -> HLCTimestamp {
        if let key = encoded.range(of: "\"hlc\":\""),
            let end = encoded.utf8.index(
                key.upperBound, offsetBy: HLCTimestamp.width, limitedBy: encoded.utf8.endIndex),
            let hlc = HLCTimestamp(String(encoded[key.upperBound..<end]))
        {
            return hlc
        }
        return try decoder.decode(Stamp.self, from: Data(encoded.utf8)).hlc
    }

    /// Merges the outbox's pending operations on `row` again, in order (after a restore or a purge).
    static func reapplyPending(table: String, row: String, rows: RowStore, _ db: Database) throws {
        let decoder = WireCoding.decoder()
        for text in try String.fetchAll(db, sql: "SELECT op FROM outbox ORDER BY seq") {
            let operation = try decoder.decode(SyncOperation.self, from: Data(text.utf8))
            guard operation.table == table, operation.row == row else { continue }
            try rows.apply(operation, db)
        }
    }

    /// Empties every synced table and the cursor, then merges the outbox again: the next pull
    /// brings back exactly the rows of this replica's scope, and pending edits stay.
    static func resetSyncedRows(_ db: Database, rows: RowStore) throws {
        for table in rows.schema.tables {
            try db.execute(sql: "DELETE FROM \(table.name)")
        }
        try db.execute(sql: "UPDATE replica_settings SET cursor = 0")
        let decoder = WireCoding.decoder()
        for text in try String.fetchAll(db, sql: "SELECT op FROM outbox ORDER BY seq") {
            try rows.apply(try decoder.decode(SyncOperation.self, from: Data(text.utf8)), db)
        }
    }

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
            let pending = try Row.fetchAll(db, sql: "SELECT op_id, op FROM outbox ORDER BY seq")
            for entry in pending {
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO rejected_op (op_id, op, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        entry[0] as String, entry[1] as String, ErrorCode.accountChanged.rawValue,
                        "written by \(settings.userName) of \(settings.org) and never sent; \(login.user) may re-enter it or discard it",
                        wallClock.nowMillis(),
                    ])
            }
            try db.execute(sql: "DELETE FROM outbox")
            try Self.resetSyncedRows(db, rows: rows)
            settings = try Self.settings(db)
            settings.replicaID = login.replica
            settings.userName = login.user
            settings.org = login.org
            settings.orgKind = login.orgKind
            settings.token = login.token
            settings.cursor = 0
            try settings.update(db)
            return pending.count
        }
    }

    /// Drops one quarantined (refused) edit for good.
    public func discardRejected(_ operationID: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM rejected_op WHERE op_id = ?", arguments: [operationID])
            guard db.changesCount == 1 else {
                throw ReplicaError(.notFound, "there is no refused edit \(operationID); see 'followup rejected'")
            }
        }
    }

    /// Applies one pulled page: merges its rows, deletes purged ones and advances the cursor,
    /// together.
    ///
    /// A page of another organisation's scope (the user was moved) is not applied: the replica
    /// drops every synced row and its cursor, keeps its pending edits, and answers
    /// `.scopeChanged` so the caller pulls again from the start.
    @discardableResult
    public func apply(_ page: PullResponse) throws -> PageOutcome {
        let outcome = try writer.write { db -> PageOutcome in
            var settings = try Self.settings(db)
            if page.org != settings.org || page.orgKind != settings.orgKind {
                try Self.resetSyncedRows(db, rows: rows)
                settings = try Self.settings(db)
                settings.org = page.org
                settings.orgKind = page.orgKind
                settings.cursor = 0
                try settings.update(db)
                return .scopeChanged
            }
            guard page.cursor >= settings.cursor else { return .applied(purged: 0) }
            var clock = settings.clock
            var maxKnown = HLCTimestamp(settings.maxKnownHLC) ?? HLCTimestamp(physical: 0)
            let now = now(settings)
            var purged = 0
            var newest: FieldVersion?
            var searchIndex = DeferredSearchIndex()
            // The rows this page merges into, loaded together rather than one query per row.
            var stored: [String: [String: RowState]] = [:]
            for (tableName, changes) in Dictionary(grouping: page.changes.filter { $0.kind == .row }, by: \.table) {
                guard let table = schema.table(tableName) else { continue }
                stored[tableName] = try rows.load(table, ids: changes.map(\.row), db)
            }
            for change in page.changes {
                guard change.seq > settings.cursor else { continue }
                guard let table = schema.table(change.table),
                    change.versions.keys.allSatisfy({ table.column($0) != nil })
                else {
                    throw ReplicaError(
                        .upgradeRequired,
                        "the server sent \(change.table) data this version of followup cannot store; update followup"
                    )
                }
                let isNew = change.kind == .row && stored[table.name]?[change.row] == nil
                try searchIndex.prepare(table: table.name, row: change.row, isNew: isNew, db)
                switch change.kind {
                case .purge:
                    if try Self.purge(table: table, row: change.row, rows: rows, db) { purged += 1 }
                    stored[table.name]?[change.row] = try rows.load(table, id: change.row, db)
                case .row:
                    guard let incoming = change.state else {
                        throw ReplicaError(
                            .malformedResponse, "the server sent an unreadable version for \(change.row)")
                    }
                    let merged = Merge.absorb(incoming, into: stored[table.name]?[change.row])
                    try rows.save(table, id: change.row, state: merged, db)
                    stored[table.name]?[change.row] = merged
                    for version in incoming.versions.values {
                        newest = max(newest ?? version, version)
                    }
                    if let tombstone = incoming.tombstone { newest = max(newest ?? tombstone, tombstone) }
                }
            }
            try searchIndex.flush(db)
            // Later local edits must stamp above every version the server holds.
            if let newest {
                maxKnown = max(maxKnown, newest.hlc)
                clock.receive(newest.hlc, now: now)
            }
            settings.cursor = page.cursor
            settings.maxKnownHLC = maxKnown.description
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return .applied(purged: purged)
        }
        if outcome != .applied(purged: 0) { checkpointAfterRemoval() }
        return outcome
    }

    /// Leaves no copy of removed rows in the write-ahead log.
    ///
    /// The database file itself is cleared by `secure_delete`. Best effort: a busy reader only
    /// delays it to the next checkpoint.
    private func checkpointAfterRemoval() {
        _ = try? writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// Removes a row that left this replica's scope, with its versions and tombstone.
    ///
    /// The user's own edits of it stay where they are (pending in the outbox, or refused in the
    /// quarantine, where the user sees why); pending ones are merged back.
    ///
    /// - Returns: whether the replica held the row.
    static func purge(table: TableSchema, row: String, rows: RowStore, _ db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM \(table.name) WHERE id = ?", arguments: [row])
        let held = db.changesCount > 0
        try reapplyPending(table: table.name, row: row, rows: rows, db)
        return held
    }

    /// Re-stamps every pending operation from the server's time after the server found this
    /// replica's clock ahead, and keeps the correction for later edits.
    ///
    /// New stamps come after every operation the replica knows the server holds (pulled, or its
    /// own accepted ones), so its merged rows stay what the server will compute and its own edits
    /// keep their order; each re-stamped operation gets a new id.
    ///
    /// - Returns: how many operations were re-stamped.
    public func restampPending(serverTime: Int64) throws -> Int {
        let decoder = WireCoding.decoder()
        let encoder = WireCoding.encoder()
        return try writer.write { db in
            var settings = try Self.settings(db)
            settings.clockOffsetMillis = serverTime - wallClock.nowMillis()
            let maxKnown = HLCTimestamp(settings.maxKnownHLC) ?? HLCTimestamp(physical: 0)
            var clock = HybridLogicalClock(last: max(maxKnown, HLCTimestamp(physical: serverTime)))
            let pending = try Row.fetchAll(db, sql: "SELECT seq, op FROM outbox ORDER BY seq")
            for entry in pending {
                var operation = try decoder.decode(SyncOperation.self, from: Data((entry[1] as String).utf8))
                let oldVersion = operation.version
                operation.hlc = clock.tick(now: serverTime)
                operation.id = UUIDv7.make(millis: operation.hlc.physical)
                let newVersion = operation.version
                if let table = schema.table(operation.table), var state = try rows.load(table, id: operation.row, db) {
                    for (column, version) in state.versions where version == oldVersion {
                        state.versions[column] = newVersion
                    }
                    if state.tombstone == oldVersion { state.tombstone = newVersion }
                    try rows.save(table, id: operation.row, state: state, db)
                }
                try db.execute(
                    sql: "UPDATE outbox SET op_id = ?, op = ? WHERE seq = ?",
                    arguments: [operation.id, String(decoding: try encoder.encode(operation), as: UTF8.self), entry[0]])
            }
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return pending.count
        }
    }

    /// The clock error tolerated before the replica corrects its clock by the server's, in ms.
    public static let clockTolerance: Int64 = 60_000

    /// Compares the server's clock with this replica's and keeps the correction up to date.
    ///
    /// A difference beyond `clockTolerance` becomes the offset added to the system clock; once
    /// the system clock is right again the offset returns to 0.
    public func observeServerTime(_ serverTime: Int64) throws {
        try writer.write { db in
            var settings = try Self.settings(db)
            let difference = serverTime - wallClock.nowMillis()
            let offset = abs(difference) > Self.clockTolerance ? difference : 0
            guard abs(offset - settings.clockOffsetMillis) > Self.clockTolerance else { return }
            settings.clockOffsetMillis = offset
            try settings.update(db)
        }
    }

    /// Records the end of a complete sync.
    public func markSynced() throws {
        try writer.write { db in
            var settings = try Self.settings(db)
            settings.lastSyncAt = wallClock.nowMillis()
            try settings.update(db)
        }
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

/// The new recommendations of one pulled page, indexed for full-text search together when the
/// page is done instead of one by one by the insert trigger (measured about ten times cheaper).
///
/// While it holds rows, the trigger is paused (`search_index_deferral`, in the page's own
/// transaction); any change to a recommendation the replica already holds first indexes the
/// held rows and resumes it, so the update and delete triggers always find the index complete.
struct DeferredSearchIndex {
    private var held: [String] = []

    /// Called before a change of row `row` of `table` is applied.
    mutating func prepare(table: String, row: String, isNew: Bool, _ db: Database) throws {
        guard table == "recommendation" else { return }
        guard isNew else { return try flush(db) }
        if held.isEmpty {
            try db.execute(sql: "UPDATE search_index_deferral SET paused = 1")
        }
        held.append(row)
    }

    /// Indexes the held rows and resumes the trigger.
    mutating func flush(_ db: Database) throws {
        guard !held.isEmpty else { return }
        for start in stride(from: 0, to: held.count, by: 500) {
            let chunk = held[start..<min(start + 500, held.count)]
            try db.execute(
                sql: """
                    INSERT INTO recommendation_fts(rowid, text)
                    SELECT rowid, text FROM recommendation WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments(chunk))
        }
        try db.execute(sql: "UPDATE search_index_deferral SET paused = 0")
        held = []
    }
}

extension Replica {
    /// How many index entries (term, row, position) differ between the full-text index of
    /// recommendations and one built afresh from their text; 0 when the index is exact.
    ///
    /// Builds the fresh index in temporary tables and drops them; nothing stored changes.
    func searchIndexMismatches() throws -> Int {
        try writer.write { db in
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE temp.search_check USING fts5(text);
                    INSERT INTO temp.search_check(rowid, text) SELECT rowid, text FROM main.recommendation;
                    CREATE VIRTUAL TABLE temp.search_kept USING fts5vocab(main, recommendation_fts, instance);
                    CREATE VIRTUAL TABLE temp.search_fresh USING fts5vocab(temp, search_check, instance);
                    """)
            let differences =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM (
                                  SELECT term, doc, offset FROM temp.search_kept
                                  EXCEPT SELECT term, doc, offset FROM temp.search_fresh))
                             + (SELECT count(*) FROM (
                                  SELECT term, doc, offset FROM temp.search_fresh
                                  EXCEPT SELECT term, doc, offset FROM temp.search_kept))
                        """) ?? 0
            try db.execute(
                sql: """
                    DROP TABLE temp.search_kept;
                    DROP TABLE temp.search_fresh;
                    DROP TABLE temp.search_check;
                    """)
            return differences
        }
    }
}
