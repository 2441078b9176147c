import Foundation
import GRDB
import Shared

/// Rows the server itself writes, as the operator: reference data and the institution row of
/// each organisation. They go through the operation log like any edit, so replicas pull them.
extension SQLiteServerStorage {
    /// The id of the operator's own organisation, user and owner of the rows it writes.
    public static let operatorIdentity = "_operator"

    /// Migration `v2`: the domain tables, the operator identity and the reference rows.
    static func migrateToDomainSchema(_ db: Database) throws {
        // Allow the operator's organisation kind (SQLite changes a CHECK by rebuilding the table).
        try db.execute(
            sql: """
                CREATE TABLE organisation_v2 (
                  id TEXT PRIMARY KEY NOT NULL,
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('secretariat', 'ministry', 'parliament', 'nhri', 'ngo', 'operator')),
                  created_at INTEGER NOT NULL
                );
                INSERT INTO organisation_v2 SELECT * FROM organisation;
                DROP TABLE organisation;
                ALTER TABLE organisation_v2 RENAME TO organisation;
                CREATE TABLE server_clock (
                  singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                  hlc_last TEXT NOT NULL
                );
                """)
        let now = SystemWallClock().nowMillis()
        try db.execute(
            sql: "INSERT INTO server_clock (singleton, hlc_last) VALUES (1, ?)",
            arguments: [HLCTimestamp(physical: 0).description])
        try db.execute(
            sql: "INSERT INTO organisation (id, name, kind, created_at) VALUES (?, 'Server operator', 'operator', ?)",
            arguments: [operatorIdentity, now])
        try db.execute(
            sql: """
                INSERT INTO user_account (name, org_id, password_hash, disabled, created_at) VALUES (?, ?, '!', 1, ?)
                """,
            arguments: [operatorIdentity, operatorIdentity, now])
        try db.execute(
            sql: "INSERT INTO device (id, user_name, name, created_at) VALUES (?, ?, 'server', ?)",
            arguments: [UUIDv7.make(millis: now), operatorIdentity, now])
        for statement in Schema.v2.additions(since: .v1) {
            try db.execute(sql: statement)
        }
        let rows = RowStore(schema: .v2)
        for mechanism in Mechanisms.all {
            try recordOperatorRow(
                table: "mechanism",
                fields: ["code": .text(mechanism.code), "name": .text(mechanism.name), "kind": .text(mechanism.kind)],
                rows: rows, db)
        }
        for organisation in try Row.fetchAll(
            db, sql: "SELECT id, name, kind FROM organisation WHERE kind != 'operator' ORDER BY created_at, id")
        {
            try recordInstitution(
                forOrganisation: organisation["id"], name: organisation["name"], kind: organisation["kind"], rows: rows,
                db)
        }
    }

    /// Records the `institution` row that stands for an organisation the operator created.
    static func recordInstitution(
        forOrganisation id: String, name: String, kind: String, rows: RowStore, _ db: Database
    ) throws {
        try recordOperatorRow(
            table: "institution", fields: ["name": .text(name), "kind": .text(kind), "org_id": .text(id)], rows: rows,
            db)
    }

    /// Writes a new row as the operator: merged, and appended to the log like a pushed operation.
    static func recordOperatorRow(
        table: String, fields: [String: FieldValue], rows: RowStore, _ db: Database
    ) throws {
        guard
            let device = try String.fetchOne(
                db, sql: "SELECT id FROM device WHERE user_name = ? ORDER BY created_at LIMIT 1",
                arguments: [operatorIdentity])
        else { throw ServiceError(.internalError, "the operator's device is missing") }
        let now = SystemWallClock().nowMillis()
        var clock = HybridLogicalClock(
            last: HLCTimestamp(try String.fetchOne(db, sql: "SELECT hlc_last FROM server_clock") ?? "")
                ?? HLCTimestamp(physical: 0))
        let hlc = clock.tick(now: now)
        try db.execute(sql: "UPDATE server_clock SET hlc_last = ?", arguments: [hlc.description])
        var stamped = fields
        stamped["owner_org"] = .text(operatorIdentity)
        stamped["created_by"] = .text(operatorIdentity)
        let operation = SyncOperation(
            id: UUIDv7.make(millis: now), table: table, row: UUIDv7.make(millis: now), kind: .upsert,
            fields: stamped, hlc: hlc, replica: device, author: operatorIdentity, org: operatorIdentity)
        let (before, after) = try rows.apply(operation, db)
        // Before migration v3 there is no feed yet; v3 files every row it finds.
        if try db.tableExists("row_feed") {
            var feed = try FeedClock(db)
            try refileAfterChange(
                table: table, id: operation.row, before: before, after: after, rows: rows, feed: &feed, db)
            try feed.save(db)
        }
        try appendToLog(operation, receivedAt: now, db)
    }

    /// Appends an accepted, stamped operation to the log; returns its sequence.
    @discardableResult
    static func appendToLog(_ operation: SyncOperation, receivedAt: Int64, _ db: Database) throws -> Int64 {
        let fields = WireJSON.encode(operation.fields)
        try db.cachedStatement(
            sql: """
                INSERT INTO op_log (op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            operation.id, operation.table, operation.row, operation.kind.rawValue, fields,
            operation.hlc.description, operation.replica, operation.author, operation.org, receivedAt,
        ])
        return db.lastInsertedRowID
    }
}
