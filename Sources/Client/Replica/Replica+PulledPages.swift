import Foundation
import GRDB
import RowStorage
import Shared

/// What applying a pulled page did.
public enum PageOutcome: Sendable, Equatable {
    /// The page was merged; `purged` rows left the replica's scope and were removed.
    case applied(purged: Int)
    /// The page belonged to another scope (the user moved organisation): the replica reset.
    case scopeChanged
}

extension Replica {
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
                try Self.forgetAcceptedOperations(db)
                if page.org != settings.org {
                    // The old organisation's private keys, pins and accepted NHRIs do not move with the user.
                    try db.execute(
                        sql: "DELETE FROM private_key; DELETE FROM pinned_key; DELETE FROM trusted_recipient")
                    try Self.createKeyIfHolder(kind: page.orgKind, now: wallClock.nowMillis(), db)
                }
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
            let arrival = wallClock.nowMillis()
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
                    try Self.forgetArrivals(table: table.name, row: change.row, db)
                case .row:
                    guard let incoming = change.state else {
                        throw ReplicaError(
                            .malformedResponse, "the server sent an unreadable version for \(change.row)")
                    }
                    let previous = stored[table.name]?[change.row]
                    let merged = Merge.absorb(incoming, into: previous)
                    try rows.save(table, id: change.row, state: merged, db)
                    try Self.recordArrivals(
                        table: table.name, row: change.row, before: previous, after: merged, at: arrival, db)
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
            if let state = page.state { settings.deploymentState = state }
            settings.maxKnownHLC = maxKnown.description
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return .applied(purged: purged)
        }
        if outcome != .applied(purged: 0) { checkpointAfterRemoval() }
        return outcome
    }

    /// The columns whose arrival "What's new" reads (`whatsNew(since:)`), by table.
    static let arrivalColumns: [String: Set<String>] = [
        "assignment": ["institution_id"], "oversight_request": ["state", "institution_id"],
        "oversight_response": ["state", "text"], "assessment": ["state"],
    ]

    /// Records that the versions of the watched columns a pulled change advanced arrived `at`
    /// (milliseconds since 1970, this computer's clock).
    static func recordArrivals(
        table: String, row: String, before: RowState?, after: RowState, at: Int64, _ db: Database
    ) throws {
        guard let columns = arrivalColumns[table] else { return }
        for column in columns.sorted()
        where after.versions[column] != nil && after.versions[column] != before?.versions[column] {
            try db.execute(
                sql: """
                    INSERT INTO field_arrival (table_name, row_id, column_name, arrived_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (table_name, row_id, column_name) DO UPDATE SET arrived_at = excluded.arrived_at
                    """, arguments: [table, row, column, at])
        }
    }

    /// Forgets when the fields of a row that left this replica arrived.
    static func forgetArrivals(table: String, row: String, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM field_arrival WHERE table_name = ? AND row_id = ?", arguments: [table, row])
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

    /// Empties every synced table and the cursor, then merges the outbox again: the next pull
    /// brings back exactly the rows of this replica's scope, and pending edits stay.
    static func resetSyncedRows(_ db: Database, rows: RowStore) throws {
        for table in rows.schema.tables {
            try db.execute(sql: "DELETE FROM \(table.name)")
        }
        // Migration v3 resets before the table exists.
        if try db.tableExists("field_arrival") { try db.execute(sql: "DELETE FROM field_arrival") }
        try db.execute(sql: "UPDATE replica_settings SET cursor = 0")
        let decoder = WireCoding.decoder()
        for text in try String.fetchAll(db, sql: "SELECT op FROM outbox ORDER BY seq") {
            try rows.apply(try decoder.decode(SyncOperation.self, from: Data(text.utf8)), db)
        }
    }

    /// How long a wipe waits for other programs that read the replica, in milliseconds.
    static let wipeWaitMillis = 2_000

    /// Leaves no copy of removed rows in the write-ahead log, nor the evidence files only they
    /// named.
    ///
    /// The database file itself is cleared by `secure_delete`; the log is emptied by a
    /// truncating checkpoint, which must wait until no other program reads the replica (the
    /// desk, another `followup` command). When one still reads after `wipeWaitMillis`, the wipe
    /// stays pending (`wipe_pending`): the user is told (`SyncReport.wipePending`, `followup
    /// status`) and every later sync tries again (`retryPendingWipe()`) until it succeeds.
    ///
    /// - Returns: whether the log holds no removed row now.
    @discardableResult
    func checkpointAfterRemoval() -> Bool {
        let wiped: Bool
        do {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT INTO wipe_pending (singleton, since) VALUES (1, ?) ON CONFLICT DO NOTHING",
                    arguments: [wallClock.nowMillis()])
            }
            wiped = try writer.writeWithoutTransaction { db -> Bool in
                try db.execute(sql: "PRAGMA busy_timeout = \(Self.wipeWaitMillis)")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = 10000") }
                do {
                    try db.checkpoint(.truncate)
                } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
                    return false
                }
                try db.execute(sql: "DELETE FROM wipe_pending")
                return true
            }
        } catch {
            wiped = false
        }
        _ = try? removeUnreferencedEvidence()
        return wiped
    }

    /// Tries again a wipe that another program's reading held up; answers whether one is still
    /// pending.
    public func retryPendingWipe() throws -> Bool {
        guard try wipePending() else { return false }
        return !checkpointAfterRemoval()
    }

    /// Whether rows removed from this replica may still have bytes in its write-ahead log.
    public func wipePending() throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM wipe_pending") ?? false }
    }
}
