import Foundation
import GRDB
import Shared

/// Role-scoped visibility on the embedded store: each row is filed in `row_feed` under the
/// audience keys the policy gives it, so a pull reads only its viewer's own keys.
///
/// `row_feed` holds, for every row and every key that can or could see it, the feed sequence of
/// the last change that key must hear of, and whether the key sees the row now (1) or must purge
/// it (0). Every change of a row re-files it under its current keys with a new sequence;
/// a key that loses it gets a purge entry with that sequence.
extension SQLiteServerStorage {
    /// Migration `v3`: the feed, the indexes the policy's lookups need, and the feed of every
    /// existing live row (tombstones from before have no audience any more and are not filed).
    static func migrateToScopedFeed(_ db: Database) throws {
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
        let rows = RowStore(schema: .v2)
        var feed = try FeedClock(db)
        for table in Schema.v2.tables {
            var ids: [String] = []
            try rows.forEachRow(table, db) { id, _ in ids.append(id) }
            for id in ids {
                try fileRow(table: table.name, id: id, valuesChanged: true, rows: rows, feed: &feed, db)
            }
        }
        try feed.save(db)
    }

    /// Re-files the row an accepted operation changed, and every row whose audience depends on it.
    static func refileAfterChange(
        table: String, id: String, before: RowState?, after: RowState, rows: RowStore, feed: inout FeedClock,
        _ db: Database
    ) throws {
        guard before != after else { return }
        try fileRow(table: table, id: id, state: after, valuesChanged: true, rows: rows, feed: &feed, db)
        for dependent in try dependents(table: table, id: id, before: before?.values, after: after.values, db) {
            try fileRow(table: dependent.table, id: dependent.id, valuesChanged: false, rows: rows, feed: &feed, db)
        }
    }

    /// Files one row under its current audience.
    ///
    /// - Parameters:
    ///   - state: the row's merged state when the caller has it (it is loaded otherwise).
    ///   - valuesChanged: whether the row's values changed (every key that sees it must receive it
    ///     again) or only, perhaps, its audience (only keys gaining or losing it hear).
    static func fileRow(
        table: String, id: String, state known: RowState? = nil, valuesChanged: Bool, rows: RowStore,
        feed: inout FeedClock, _ db: Database
    ) throws {
        guard let schemaTable = rows.schema.table(table),
            let state = try known ?? rows.load(schemaTable, id: id, db)
        else { return }
        let current = try Dictionary(
            uniqueKeysWithValues: Row.fetchAll(
                db.cachedStatement(sql: "SELECT audience, visible FROM row_feed WHERE table_name = ? AND row_id = ?"),
                arguments: [table, id]
            ).map { ($0[0] as String, ($0[1] as Int) == 1) })
        let seeing = Set(current.filter(\.value).keys)
        let audience: Set<String>
        if state.isDeleted {
            // A tombstone keeps the audience the row had, so those who saw it learn of the delete.
            audience = seeing
        } else {
            audience = Set(
                try AccessPolicy.standard.audience(
                    table: table, values: state.values, facts: SQLPolicyFacts(db: db, rows: rows)
                ).map(\.description))
        }
        let gained = audience.subtracting(seeing)
        let lost = seeing.subtracting(audience)
        let notified = valuesChanged ? audience : gained
        guard !notified.isEmpty || !lost.isEmpty else { return }
        let seq = feed.next()
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO row_feed (table_name, row_id, audience, seq, visible) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (table_name, row_id, audience) DO UPDATE SET seq = excluded.seq, visible = excluded.visible
                """)
        for key in notified.sorted() { try upsert.execute(arguments: [table, id, key, seq, 1]) }
        for key in lost.sorted() { try upsert.execute(arguments: [table, id, key, seq, 0]) }
    }

    /// The rows whose audience may change when row `id` of `table` changes from `before` to `after`.
    static func dependents(
        table: String, id: String, before: [String: FieldValue]?, after: [String: FieldValue], _ db: Database
    ) throws -> [(table: String, id: String)] {
        func ids(_ sql: String, _ arguments: [String]) throws -> [String] {
            guard !arguments.isEmpty else { return [] }
            return try String.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        }
        func values(_ column: String) -> [String] {
            Set([before?[column], after[column]].compactMap { AccessPolicy.text($0) }).sorted()
        }
        var recommendations: Set<String> = []
        var actions: Set<String> = []
        var requests: Set<String> = []
        var result: [(table: String, id: String)] = []
        func members(ofClusters clusters: [String]) throws -> [String] {
            try clusters.flatMap { try ids("SELECT recommendation_id FROM cluster_member WHERE cluster_id = ?", [$0]) }
        }
        switch table {
        case "assignment":
            recommendations.formUnion(values("recommendation_id"))
            recommendations.formUnion(try members(ofClusters: values("cluster_id")))
        case "cluster_member":
            recommendations.formUnion(values("recommendation_id"))
        case "cluster":
            recommendations.formUnion(try members(ofClusters: [id]))
        case "institution":
            recommendations.formUnion(
                try ids(
                    "SELECT recommendation_id FROM assignment WHERE institution_id = ? AND recommendation_id IS NOT NULL",
                    [id]))
            let clusters = try ids(
                "SELECT cluster_id FROM assignment WHERE institution_id = ? AND cluster_id IS NOT NULL", [id])
            recommendations.formUnion(try members(ofClusters: clusters))
            requests.formUnion(try ids("SELECT id FROM oversight_request WHERE institution_id = ?", [id]))
        case "action":
            actions.insert(id)
        case "oversight_request":
            requests.insert(id)
        default:
            break
        }
        for recommendation in recommendations.sorted() {
            for action in try ids("SELECT id FROM action WHERE recommendation_id = ?", [recommendation]) {
                result.append(("action", action))
                actions.insert(action)
            }
            for indicator in try ids("SELECT id FROM indicator WHERE recommendation_id = ?", [recommendation]) {
                result.append(("indicator", indicator))
            }
        }
        for action in actions.sorted() {
            for update in try ids("SELECT id FROM progress_update WHERE action_id = ?", [action]) {
                result.append(("progress_update", update))
            }
            for indicator in try ids("SELECT id FROM indicator WHERE action_id = ?", [action]) {
                result.append(("indicator", indicator))
            }
        }
        for request in requests.sorted() {
            if request != id || table != "oversight_request" { result.append(("oversight_request", request)) }
            for response in try ids("SELECT id FROM oversight_response WHERE oversight_request_id = ?", [request]) {
                result.append(("oversight_response", response))
            }
        }
        var withAttachments = result
        for parent in [(table, id)] + result {
            for attachment in try ids(
                "SELECT id FROM attachment WHERE parent_id = ? AND parent_table = ?", [parent.1, parent.0])
            {
                withAttachments.append(("attachment", attachment))
            }
        }
        return withAttachments
    }

    /// Whether the viewer holding `keys` sees row `id` of `table` now.
    static func isVisible(table: String, id: String, keys: [String], _ db: Database) throws -> Bool {
        let placeholders = keys.map { _ in "?" }.joined(separator: ", ")
        return try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT 1 FROM row_feed
                    WHERE table_name = ? AND row_id = ? AND visible = 1 AND audience IN (\(placeholders)) LIMIT 1
                    """),
            arguments: StatementArguments([table, id] + keys)) == true
    }

    /// The row as `keys` may see it now: its whole state, or a purge.
    static func currentRow(table: String, id: String, keys: [String], rows: RowStore, _ db: Database) throws
        -> RowChange
    {
        if let schemaTable = rows.schema.table(table), try isVisible(table: table, id: id, keys: keys, db),
            let change = try rows.change(schemaTable, id: id, seq: 0, db)
        {
            return change
        }
        return RowChange(seq: 0, table: table, row: id, kind: .purge)
    }
}

extension SQLiteServerStorage {
    public func changes(after cursor: Int64, limit: Int, viewer: Viewer) async throws -> ChangePage {
        let rows = self.rows
        return try await writer.read { db in
            let keys = viewer.audienceKeys.map(\.description)
            // One ordered index range per key, merged here: the pull reads only its own keys' entries.
            var entries: [(seq: Int64, table: String, row: String, visible: Bool)] = []
            var bound = Int64.max
            for key in keys {
                let found = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT seq, table_name, row_id, visible FROM row_feed
                            WHERE audience = ? AND seq > ? ORDER BY seq LIMIT ?
                            """),
                    arguments: [key, cursor, limit])
                if found.count == limit, let last = found.last { bound = min(bound, last[0]) }
                entries += found.map { ($0[0], $0[1], $0[2], $0[3]) }
            }
            entries.sort { $0.seq < $1.seq }
            // Entries of one sequence belong to one row change: never split them across pages.
            var page: [(seq: Int64, table: String, row: String, visible: Bool)] = []
            var more = bound != Int64.max
            for entry in entries where entry.seq <= bound {
                if let last = page.last, last.seq != entry.seq, Set(page.map(\.seq)).count >= limit {
                    more = true
                    break
                }
                page.append(entry)
            }
            var changes: [RowChange] = []
            changes.reserveCapacity(page.count)
            var done: Set<String> = []
            var newest: [String: (seq: Int64, visible: Bool)] = [:]
            // Each row's last sequence in the page, and whether any of the viewer's keys sees it there.
            for entry in page {
                let key = entry.table + "/" + entry.row
                if let known = newest[key], known.seq > entry.seq || (known.seq == entry.seq && known.visible) {
                    continue
                }
                newest[key] = (entry.seq, entry.visible)
            }
            // A row changed twice in one page is sent once, at its last change.
            let sent = page.filter { entry in
                let key = entry.table + "/" + entry.row
                return newest[key]?.seq == entry.seq && done.insert(key).inserted
            }
            // A key's entry is its latest, so one that sees the row means the viewer sees it now:
            // those rows are read together, table by table.
            var seen: [String: [String: RowChange]] = [:]
            let visible = sent.filter { newest[$0.table + "/" + $0.row]?.visible == true }
            for (tableName, entries) in Dictionary(grouping: visible, by: \.table) {
                guard let table = rows.schema.table(tableName) else { continue }
                seen[tableName] = try rows.changes(table, ids: entries.map(\.row), db)
            }
            for entry in sent {
                if var change = seen[entry.table]?[entry.row] {
                    change.seq = entry.seq
                    changes.append(change)
                    continue
                }
                // Otherwise the row is sent as it is now: whole if another key still sees it, and
                // as a purge if it left the scope.
                var sequenced = try Self.currentRow(table: entry.table, id: entry.row, keys: keys, rows: rows, db)
                sequenced.seq = entry.seq
                changes.append(sequenced)
            }
            return ChangePage(changes: changes, cursor: max(cursor, page.last?.seq ?? cursor), more: more)
        }
    }
}

/// The feed's sequence counter, read once per transaction and saved at its end.
struct FeedClock {
    private(set) var last: Int64

    init(_ db: Database) throws {
        last = try Int64.fetchOne(db, sql: "SELECT last_seq FROM feed_clock") ?? 0
    }

    /// The next sequence.
    mutating func next() -> Int64 {
        last += 1
        return last
    }

    /// Stores the counter.
    func save(_ db: Database) throws {
        try db.execute(sql: "UPDATE feed_clock SET last_seq = ?", arguments: [last])
    }
}

/// The policy's facts, answered from the server's merged tables inside the current transaction.
struct SQLPolicyFacts: PolicyFacts {
    let db: Database
    let rows: RowStore

    func row(_ table: String, id: String) throws -> [String: FieldValue]? {
        guard let schemaTable = rows.schema.table(table) else { return nil }
        return try rows.values(schemaTable, id: id, db)
    }

    func assignedOrganisations(recommendation id: String) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT i.org_id FROM assignment a JOIN institution i ON i.id = a.institution_id
                        WHERE a._deleted IS NULL AND i._deleted IS NULL AND i.org_id IS NOT NULL
                          AND (a.recommendation_id = ?1 OR a.cluster_id IN (
                            SELECT m.cluster_id FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id
                            WHERE m.recommendation_id = ?1 AND m._deleted IS NULL AND c._deleted IS NULL))
                        """),
                arguments: [id]))
    }
}
