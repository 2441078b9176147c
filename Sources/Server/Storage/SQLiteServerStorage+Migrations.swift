import Foundation
import GRDB
import RowStorage
import Shared

extension SQLiteServerStorage {
    /// The server database's migrations.
    ///
    /// Frozen once shipped: they use the frozen schemas and
    /// reference data of their time (`Schema.v1`, `Schema.v2`, `ServerMigrationV2.mechanisms`),
    /// never the live application types. Filling the feed after `v3` is not a migration but
    /// `fileEveryRow()`, which follows the live policy.
    static func migrator(clock: any WallClock) -> DatabaseMigrator {
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
            try ServerMigrationV2.migrate(db, now: clock.nowMillis())
        }
        migrator.registerMigration("v3") { db in
            try ServerMigrationV3.migrate(db)
        }
        migrator.registerMigration("v4") { db in
            // The State the deployment follows up, named by the operator (`set-state`).
            try db.execute(
                sql: """
                    CREATE TABLE deployment (
                      singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                      state TEXT CHECK (state IS NULL OR length(state) = 3)
                    );
                    INSERT INTO deployment (singleton, state) VALUES (1, NULL);
                    """)
            // Two more kinds of organisation: the judiciary and the UN country team.
            try db.execute(
                sql: """
                    CREATE TABLE organisation_v4 (
                      id TEXT PRIMARY KEY NOT NULL,
                      name TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN (
                        'secretariat', 'ministry', 'judiciary', 'parliament', 'nhri', 'ngo', 'un_country_team', 'operator')),
                      created_at INTEGER NOT NULL
                    );
                    INSERT INTO organisation_v4 SELECT * FROM organisation;
                    DROP TABLE organisation;
                    ALTER TABLE organisation_v4 RENAME TO organisation;
                    """)
        }
        migrator.registerMigration("v5") { db in
            try ServerMigrationV5.migrate(db)
        }
        // Sessions expire after idle and absolute limits: when each was last used, and a device's
        // sessions found at once (revoke by device).
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    ALTER TABLE auth_session ADD COLUMN last_used_at INTEGER;
                    CREATE INDEX auth_session_device ON auth_session(device_id);
                    """)
        }
        // Each organisation's bytes accepted today, for its daily quota (`SyncService.dailyQuotaBytes`).
        migrator.registerMigration("v8-quota") { db in
            try db.execute(sql: "CREATE INDEX op_log_org_received ON op_log(org_id, received_at)")
        }
        // Schema 5: revisions of published government work (`revision_of`).
        migrator.registerMigration("v7-revisions") { db in
            for statement in Schema.v5.additions(since: .v4) {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("v9-audit-log") { db in
            try ServerMigrationAuditLog.migrate(db)
        }
        // Schema 6: organisations' public keys for sealed texts. No row's audience changes.
        migrator.registerMigration("v9-organisation-keys") { db in
            for statement in Schema.v6.additions(since: .v5) {
                try db.execute(sql: statement)
            }
        }
        return migrator
    }
}

/// Migration `v2`: the domain tables, the operator identity and the reference rows, as shipped.
enum ServerMigrationV2 {
    /// The mechanisms the server wrote at `v2` (code, English name, kind): frozen, whatever
    /// `Mechanisms.all` becomes.
    static let mechanisms: [(String, String, String)] = [
        ("UPR", "Universal Periodic Review", "upr"),
        ("CCPR", "Human Rights Committee", "treaty_body"),
        ("CESCR", "Committee on Economic, Social and Cultural Rights", "treaty_body"),
        ("CAT", "Committee against Torture", "treaty_body"),
        ("SPT", "Subcommittee on Prevention of Torture", "treaty_body"),
        ("CRC", "Committee on the Rights of the Child", "treaty_body"),
        ("CEDAW", "Committee on the Elimination of Discrimination against Women", "treaty_body"),
        ("CERD", "Committee on the Elimination of Racial Discrimination", "treaty_body"),
        ("CRPD", "Committee on the Rights of Persons with Disabilities", "treaty_body"),
        ("CMW", "Committee on Migrant Workers", "treaty_body"),
        ("CED", "Committee on Enforced Disappearances", "treaty_body"),
    ]

    static func migrate(_ db: Database, now: Int64) throws {
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
        try db.execute(
            sql: "INSERT INTO server_clock (singleton, hlc_last) VALUES (1, ?)",
            arguments: [HLCTimestamp(physical: 0).description])
        try db.execute(
            sql: "INSERT INTO organisation (id, name, kind, created_at) VALUES (?, 'Server operator', 'operator', ?)",
            arguments: [SQLiteServerStorage.operatorIdentity, now])
        try db.execute(
            sql: """
                INSERT INTO user_account (name, org_id, password_hash, disabled, created_at) VALUES (?, ?, '!', 1, ?)
                """,
            arguments: [SQLiteServerStorage.operatorIdentity, SQLiteServerStorage.operatorIdentity, now])
        try db.execute(
            sql: "INSERT INTO device (id, user_name, name, created_at) VALUES (?, ?, 'server', ?)",
            arguments: [UUIDv7.make(millis: now), SQLiteServerStorage.operatorIdentity, now])
        for statement in Schema.v2.additions(since: .v1) {
            try db.execute(sql: statement)
        }
        let rows = RowStore(schema: .v2)
        for (code, name, kind) in mechanisms {
            try recordOperatorRow(
                table: "mechanism", fields: ["code": .text(code), "name": .text(name), "kind": .text(kind)],
                now: now, rows: rows, db)
        }
        for organisation in try Row.fetchAll(
            db, sql: "SELECT id, name, kind FROM organisation WHERE kind != 'operator' ORDER BY created_at, id")
        {
            try recordOperatorRow(
                table: "institution",
                fields: [
                    "name": .text(organisation["name"]), "kind": .text(organisation["kind"]),
                    "org_id": .text(organisation["id"]),
                ],
                now: now, rows: rows, db)
        }
    }

    /// Writes a new row as the operator at `v2`: merged, and appended to the log (there was no
    /// feed yet; `v3` files every row).
    static func recordOperatorRow(
        table: String, fields: [String: FieldValue], now: Int64, rows: RowStore, _ db: Database
    ) throws {
        guard
            let device = try String.fetchOne(
                db, sql: "SELECT id FROM device WHERE user_name = ? ORDER BY created_at LIMIT 1",
                arguments: [SQLiteServerStorage.operatorIdentity])
        else { throw ServiceError(.internalError, "the operator's device is missing") }
        var clock = HybridLogicalClock(
            last: HLCTimestamp(try String.fetchOne(db, sql: "SELECT hlc_last FROM server_clock") ?? "")
                ?? HLCTimestamp(physical: 0))
        let hlc = clock.tick(now: now)
        try db.execute(sql: "UPDATE server_clock SET hlc_last = ?", arguments: [hlc.description])
        var stamped = fields
        stamped["owner_org"] = .text(SQLiteServerStorage.operatorIdentity)
        stamped["created_by"] = .text(SQLiteServerStorage.operatorIdentity)
        let operation = SyncOperation(
            id: UUIDv7.make(millis: now), table: table, row: UUIDv7.make(millis: now), kind: .upsert,
            fields: stamped, hlc: hlc, replica: device, author: SQLiteServerStorage.operatorIdentity,
            org: SQLiteServerStorage.operatorIdentity)
        try rows.apply(operation, db)
        try db.execute(
            sql: """
                INSERT INTO op_log (op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                operation.id, operation.table, operation.row, operation.kind.rawValue,
                WireJSON.encode(operation.fields),
                operation.hlc.description, operation.replica, operation.author, operation.org, now,
            ])
    }
}

/// Migration `v3`: the feed and the indexes the policy's lookups need.
///
/// The feed of the rows
/// already there is filed after the migrations, by `SQLiteServerStorage.fileEveryRow()`.
enum ServerMigrationV3 {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE row_feed (
                  table_name TEXT NOT NULL,
                  row_id TEXT NOT NULL,
                  audience TEXT NOT NULL,
                  seq INTEGER NOT NULL,
                  visible INTEGER NOT NULL CHECK (visible IN (0, 1)),
                  PRIMARY KEY (table_name, row_id, audience)
                ) WITHOUT ROWID;
                CREATE INDEX row_feed_by_audience ON row_feed(audience, seq);
                CREATE TABLE feed_clock (
                  singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                  last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
                );
                INSERT INTO feed_clock (singleton, last_seq) VALUES (1, 0);
                CREATE INDEX assignment_recommendation ON assignment(recommendation_id);
                CREATE INDEX assignment_cluster ON assignment(cluster_id);
                CREATE INDEX assignment_institution ON assignment(institution_id);
                CREATE INDEX cluster_member_recommendation ON cluster_member(recommendation_id);
                CREATE INDEX cluster_member_cluster ON cluster_member(cluster_id);
                CREATE INDEX action_recommendation ON action(recommendation_id);
                CREATE INDEX progress_update_action ON progress_update(action_id);
                CREATE INDEX indicator_action ON indicator(action_id);
                CREATE INDEX indicator_recommendation ON indicator(recommendation_id);
                CREATE INDEX oversight_request_institution ON oversight_request(institution_id);
                CREATE INDEX oversight_response_request ON oversight_response(oversight_request_id);
                CREATE INDEX attachment_parent ON attachment(parent_id);
                ALTER TABLE user_account ADD COLUMN moved_at INTEGER;
                """)
    }
}

/// Migration `v5`: schema 4's columns and tables (bills, the government's replies, hearings,
/// money spent, work covering a cluster, published submissions), and the index the planner's
/// lookup of a cluster's work needs.
///
/// No row's audience changes: the rows already there have none of the new values, and a
/// submission without a state counts as a draft, read as every submission was before.
enum ServerMigrationV5 {
    static func migrate(_ db: Database) throws {
        for statement in Schema.v4.additions(since: .v3) {
            try db.execute(sql: statement)
        }
        try db.execute(
            sql: """
                CREATE INDEX action_cluster ON action(cluster_id);
                CREATE INDEX assessment_reply_assessment ON assessment_reply(assessment_id);
                """)
    }
}

/// Migration `v9-audit-log`: the audit log (protocol §18).
///
/// Every accepted operation becomes a leaf of a Merkle tree, in log order; the tree's complete subtrees (`audit_node`) and the signed heads
/// (`audit_head`) are kept, and the log, the tree and the heads refuse updates and deletes.
///
/// The operations already logged become the first leaves, hashed with leaf encoding version 1
/// (`AuditLeaf`, frozen like this migration). No head is signed here: the storage signs one
/// when it opens.
enum ServerMigrationAuditLog {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE op_log ADD COLUMN leaf_index INTEGER CHECK (leaf_index >= 0);
                CREATE UNIQUE INDEX op_log_leaf ON op_log(leaf_index);
                CREATE INDEX op_log_row ON op_log(table_name, row_id);
                CREATE TABLE audit_node (
                  level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
                  idx INTEGER NOT NULL CHECK (idx >= 0),
                  hash BLOB NOT NULL CHECK (length(hash) = 32),
                  PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;
                CREATE TABLE audit_head (
                  tree_size INTEGER PRIMARY KEY NOT NULL CHECK (tree_size >= 0),
                  root BLOB NOT NULL CHECK (length(root) = 32),
                  signed_at INTEGER NOT NULL,
                  signature BLOB NOT NULL CHECK (length(signature) = 64),
                  public_key BLOB NOT NULL CHECK (length(public_key) = 32)
                );
                """)
        let decoder = WireCoding.decoder()
        let insert = try db.makeStatement(sql: "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)")
        let number = try db.makeStatement(sql: "UPDATE op_log SET leaf_index = ? WHERE seq = ?")
        var tree = MerkleLevels()
        for row in try Row.fetchAll(db, sql: "SELECT \(SQLiteServerStorage.logColumns) FROM op_log ORDER BY seq") {
            let operation = try SQLiteServerStorage.loggedOperation(row, decoder: decoder)
            try number.execute(arguments: [tree.size, operation.seq])
            for node in try MerkleTree.nodesCompleted(
                byLeaf: tree.size, hash: AuditLeaf.hash(of: operation), nodes: tree)
            {
                try insert.execute(arguments: [node.level, node.index, Data(node.hash.bytes)])
            }
            tree.append(AuditLeaf.hash(of: operation))
        }
        // Append-only, in the schema: what was accepted stays as it was accepted.
        for table in ["op_log", "audit_node", "audit_head"] {
            try db.execute(
                sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    """)
        }
    }
}
