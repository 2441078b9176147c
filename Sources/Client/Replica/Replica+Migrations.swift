import GRDB
import RowStorage
import Shared

extension Replica {
    /// The replica database's migrations in order; they have shipped, so never change one: add a new one.
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
        migrator.registerMigration("v5") { db in
            // The deployment's State, learnt at sync; and full-text search for the six UN
            // languages: diacritics folded, English plurals and inflections stemmed (porter),
            // prefixes queried as `tortur*`.
            try db.execute(
                sql: """
                    ALTER TABLE replica_settings ADD COLUMN deployment_state TEXT;
                    DROP TRIGGER recommendation_fts_insert;
                    DROP TRIGGER recommendation_fts_delete;
                    DROP TRIGGER recommendation_fts_update;
                    DROP TABLE recommendation_fts;
                    CREATE VIRTUAL TABLE recommendation_fts USING fts5(
                      text, content='recommendation', content_rowid='rowid',
                      tokenize='porter unicode61 remove_diacritics 2');
                    INSERT INTO recommendation_fts(recommendation_fts) VALUES ('rebuild');
                    CREATE TRIGGER recommendation_fts_insert AFTER INSERT ON recommendation
                    WHEN (SELECT paused FROM search_index_deferral) = 0 BEGIN
                      INSERT INTO recommendation_fts(rowid, text) VALUES (new.rowid, new.text);
                    END;
                    CREATE TRIGGER recommendation_fts_delete AFTER DELETE ON recommendation BEGIN
                      INSERT INTO recommendation_fts(recommendation_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
                    END;
                    CREATE TRIGGER recommendation_fts_update AFTER UPDATE OF text ON recommendation BEGIN
                      INSERT INTO recommendation_fts(recommendation_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
                      INSERT INTO recommendation_fts(rowid, text) VALUES (new.rowid, new.text);
                    END;
                    """)
        }
        migrator.registerMigration("v6") { db in
            // Schema 4: bills, the government's replies to assessments, hearings, money spent,
            // work covering a cluster or several recommendations, published submissions.
            for statement in Schema.v4.additions(since: .v3) {
                try db.execute(sql: statement)
            }
            try db.execute(
                sql: """
                    CREATE INDEX action_cluster ON action(cluster_id);
                    CREATE INDEX submission_cluster ON submission(cluster_id);
                    CREATE INDEX bill_recommendation ON bill(recommendation_id);
                    CREATE INDEX assessment_reply_assessment ON assessment_reply(assessment_id);
                    """)
        }
        migrator.registerMigration("v7-revisions") { db in
            // Schema 5: revisions of published government work, found from the row they revise.
            for statement in Schema.v5.additions(since: .v4) {
                try db.execute(sql: statement)
            }
            try db.execute(
                sql: """
                    CREATE INDEX action_revision ON action(revision_of);
                    CREATE INDEX progress_update_revision ON progress_update(revision_of);
                    CREATE INDEX assessment_reply_revision ON assessment_reply(revision_of);
                    """)
        }
        migrator.registerMigration("v7-report-indexes") { db in
            // The tracking table, the dashboards and a recommendation's detail find the rows
            // reaching a recommendation: without these, each recommendation scanned every
            // progress update and assessment (17 s for the tracking table of 4,000
            // recommendations with 2,000 updates), and each detail every action.
            try db.execute(
                sql: """
                    CREATE INDEX progress_update_action ON progress_update(action_id);
                    CREATE INDEX progress_update_indicator ON progress_update(indicator_id);
                    CREATE INDEX assessment_recommendation ON assessment(recommendation_id);
                    CREATE INDEX assessment_cluster ON assessment(cluster_id);
                    CREATE INDEX indicator_recommendation ON indicator(recommendation_id);
                    CREATE INDEX indicator_action ON indicator(action_id);
                    CREATE INDEX submission_recommendation ON submission(recommendation_id);
                    CREATE INDEX oversight_request_recommendation ON oversight_request(recommendation_id);
                    CREATE INDEX oversight_response_request ON oversight_response(oversight_request_id);
                    CREATE INDEX action_covers ON action(covers) WHERE covers IS NOT NULL;
                    CREATE INDEX submission_covers ON submission(covers) WHERE covers IS NOT NULL;
                    CREATE INDEX bill_covers ON bill(covers) WHERE covers IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v7-arrivals") { db in
            // When a pulled version of a field "What's new" reads reached this replica (its
            // local wall-clock time): an edit made offline long ago is new when it arrives.
            try db.execute(
                sql: """
                    CREATE TABLE field_arrival (
                      table_name TEXT NOT NULL,
                      row_id TEXT NOT NULL,
                      column_name TEXT NOT NULL,
                      arrived_at INTEGER NOT NULL,
                      PRIMARY KEY (table_name, row_id, column_name)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v7-preferences") { db in
            // Each user's choices on this computer (the desk's language), kept with the replica
            // and never synced.
            try db.execute(
                sql: """
                    CREATE TABLE user_preference (
                      user_name TEXT NOT NULL,
                      name TEXT NOT NULL,
                      value TEXT NOT NULL,
                      PRIMARY KEY (user_name, name)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v8-audit-log") { db in
            // The audit log as this replica saw it (protocol §18): the server key pinned at init,
            // the signed heads seen, and the operations it pushed that the server accepted.
            try db.execute(
                sql: """
                    CREATE TABLE audit_key (
                      singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                      public_key TEXT NOT NULL,
                      pinned_at INTEGER NOT NULL
                    );
                    CREATE TABLE audit_head (
                      tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
                      root TEXT NOT NULL,
                      signed_at INTEGER NOT NULL,
                      signature TEXT NOT NULL,
                      checked INTEGER NOT NULL DEFAULT 0 CHECK (checked IN (0, 1)),
                      PRIMARY KEY (tree_size, root)
                    );
                    CREATE TABLE accepted_op (
                      op_id TEXT PRIMARY KEY NOT NULL,
                      seq INTEGER NOT NULL,
                      op TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v8-organisation-keys") { db in
            // Schema 6: organisations' public keys; and, local only, this organisation's private
            // keys, the key pinned for each organisation, and the rows whose confidential text
            // waits to be sealed (their edits stay in the outbox, unsent).
            for statement in Schema.v6.additions(since: .v5) {
                try db.execute(sql: statement)
            }
            try db.execute(
                sql: """
                    CREATE TABLE private_key (
                      fingerprint TEXT PRIMARY KEY NOT NULL,
                      private_key TEXT NOT NULL,
                      created_at INTEGER NOT NULL
                    );
                    CREATE TABLE pinned_key (
                      org TEXT PRIMARY KEY NOT NULL,
                      fingerprint TEXT NOT NULL
                    );
                    CREATE TABLE sealing_wait (
                      row_id TEXT PRIMARY KEY NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v9-wipe-pending") { db in
            // Rows were removed (a purge, a refused edit undone, a reset) but another program
            // was reading the replica, so their bytes may stay in the write-ahead log until a
            // truncating checkpoint succeeds; since when (ms since 1970).
            try db.execute(
                sql: """
                    CREATE TABLE wipe_pending (
                      singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                      since INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v10-trusted-recipients") { db in
            // The NHRIs this replica accepted as recipients of sealed texts (protocol §19,
            // "Pinning"): only they, and the author's own organisation, are sealed to. A row is
            // kept when forgotten, so trust on first use happens once per replica.
            try db.execute(
                sql: """
                    CREATE TABLE trusted_recipient (
                      org TEXT PRIMARY KEY NOT NULL,
                      forgotten INTEGER NOT NULL DEFAULT 0 CHECK (forgotten IN (0, 1))
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }()
}
