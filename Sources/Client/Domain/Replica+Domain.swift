import Foundation
import GRDB
import RowStorage
import Shared

/// How far a recommendation's implementation has got, derived from its actions and those of
/// the live clusters holding it.
public enum ImplementationStatus: String, Sendable, CaseIterable, Codable {
    /// No action planned (cancelled ones do not count).
    case noAction = "no_action"
    /// Actions planned, none started.
    case planned
    /// At least one action started or done, some still open.
    case inProgress = "in_progress"
    /// Every action done.
    case completed

    /// SQL computing the status of the recommendation aliased `alias`.
    static func sql(_ alias: String) -> String {
        let live = """
            (x.recommendation_id = \(alias).id OR x.cluster_id IN (
              SELECT cm.cluster_id FROM cluster_member cm JOIN cluster c ON c.id = cm.cluster_id
              WHERE cm.recommendation_id = \(alias).id AND cm._deleted IS NULL AND c._deleted IS NULL))
            AND x._deleted IS NULL AND x.revision_of IS NULL AND coalesce(x.status, 'planned') != 'cancelled'
            """
        return """
            CASE
              WHEN NOT EXISTS (SELECT 1 FROM action x WHERE \(live)) THEN 'no_action'
              WHEN NOT EXISTS (SELECT 1 FROM action x WHERE \(live) AND coalesce(x.status, 'planned') != 'completed') THEN 'completed'
              WHEN EXISTS (SELECT 1 FROM action x WHERE \(live) AND x.status IN ('in_progress', 'completed')) THEN 'in_progress'
              ELSE 'planned'
            END
            """
    }
}

/// The filters of `followup recs list`.
public struct RecommendationFilter: Sendable, Equatable {
    public var mechanism: String?
    public var session: Int?
    public var cycle: Int?
    public var theme: String?
    public var sdg: String?
    public var position: String?
    /// An institution row id or organisation id.
    public var institution: String?
    public var status: ImplementationStatus?
    /// The latest independent rating of the recommendation or of a cluster holding it.
    ///
    /// One of `no_progress` ... `implemented`, as this replica sees it.
    public var rating: String?
    /// Only those marked as needing legislation (true) or not so marked (false).
    public var needsLegislation: Bool?
    /// Full-text search over the recommendation text: every word must match, diacritics and
    /// English inflections aside; `tortur*` matches a prefix; Chinese and Japanese words match as
    /// written.
    public var search: String?
    /// At most this many (nil: every match; a list never stops at a hidden limit).
    public var limit: Int?
    /// How many matches to pass over first, in the list's order.
    public var offset = 0

    /// Creates an empty filter (everything).
    public init() {}
}

/// One line of `followup recs list`.
public struct RecommendationSummary: Sendable, Equatable, Codable {
    public var id: String
    public var text: String
    public var session: Int?
    public var stateUnderReview: String?
    public var position: String?
    public var mechanism: String?
    public var status: ImplementationStatus
    /// This replica's organisation's part in it, `lead` or `contributing` (directly or through a
    /// cluster); nil when it is not assigned to it.
    public var role: String?

    enum CodingKeys: String, CodingKey {
        case id, text, session, position, mechanism, status, role
        case stateUnderReview = "state_under_review"
    }
}

/// A count of recommendations by implementation status for one group (a mechanism, a cluster...).
public struct StatusCount: Sendable, Equatable, Codable {
    public var group: String
    public var total: Int
    public var counts: [String: Int]
}

/// Something past its due date.
public struct OverdueItem: Sendable, Equatable, Codable {
    public var table: String
    public var id: String
    public var title: String
    public var due: String
    /// Who must act: the action's institution, the recommendation's lead institutions (directly
    /// or through a cluster), or the institution a request addresses; nil when none is known.
    public var institution: String?
}

extension Replica {
    /// The row id of an institution given its row id or the organisation id the operator gave it.
    public func institutionID(_ reference: String) throws -> String {
        let found = try read { db in
            try String.fetchOne(
                db, sql: "SELECT id FROM institution WHERE (id = ? OR org_id = ?) AND _deleted IS NULL",
                arguments: [reference, reference])
        }
        guard let found else {
            throw ReplicaError(
                .rowNotFound,
                "there is no institution '\(reference)' on this replica (give its id or its organisation id; sync first?)"
            )
        }
        return found
    }

    /// The table holding live row `id`, looked up among `tables`.
    public func tableOf(_ id: String, among tables: [String]) throws -> String? {
        try read { db in
            for table in tables
            where try Bool.fetchOne(
                db, sql: "SELECT 1 FROM \(table) WHERE id = ? AND _deleted IS NULL", arguments: [id]) == true
            {
                return table
            }
            return nil
        }
    }

    /// Requires live row `id` in `table`, or fails with a clear `row_not_found`.
    public func requireRow(_ table: String, _ id: String) throws {
        guard try row(table, id: id) != nil else {
            throw ReplicaError(.rowNotFound, "there is no \(table) \(id) on this replica")
        }
    }

    /// The recommendations matching `filter`, by session then id (the page `limit` and `offset` say).
    public func recommendations(_ filter: RecommendationFilter) throws -> [RecommendationSummary] {
        if let limit = filter.limit, limit < 1 {
            throw ReplicaError(.invalidValue, "a page holds at least one recommendation, not \(limit)")
        }
        guard filter.offset >= 0 else {
            throw ReplicaError(.invalidValue, "the offset cannot be negative (\(filter.offset))")
        }
        let (sql, arguments) = try recommendationQuery(filter)
        // The page's ids first: the status and role of every match are computed only when the
        // status filters them; then the page's rows, found by id.
        let page =
            "SELECT id FROM (\(sql)) \(Self.statusCondition(filter)) ORDER BY session, id LIMIT :limit OFFSET :offset"
        var paged = arguments
        paged += ["limit": filter.limit ?? -1, "offset": filter.offset]
        let rows = "SELECT * FROM (\(sql)) WHERE id IN (SELECT value FROM json_each(:ids)) ORDER BY session, id"
        return try read { db in
            let ids = try String.fetchAll(db, sql: page, arguments: paged)
            var found = arguments
            found += ["ids": FieldValue.listJSON(ids)]
            return try Row.fetchAll(db, sql: rows, arguments: found).map { row in
                RecommendationSummary(
                    id: row[0], text: row[1] ?? "", session: row[2], stateUnderReview: row[3], position: row[4],
                    mechanism: row[5], status: ImplementationStatus(rawValue: row[6]) ?? .noAction, role: row[7])
            }
        }
    }

    /// How many recommendations match `filter`, whatever its `limit` and `offset`.
    public func recommendationCount(_ filter: RecommendationFilter) throws -> Int {
        let (sql, arguments) = try recommendationQuery(filter)
        return try read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (\(sql)) \(Self.statusCondition(filter))", arguments: arguments) ?? 0
        }
    }

    /// The condition on the computed status: none (and the status left uncomputed) without a
    /// status filter.
    private static func statusCondition(_ filter: RecommendationFilter) -> String {
        filter.status == nil ? "WHERE :status IS NULL" : "WHERE status = :status"
    }

    /// The filter as SQL over live recommendations (with their mechanism code and status), and its arguments.
    private func recommendationQuery(_ filter: RecommendationFilter) throws -> (String, StatementArguments) {
        let institution = try filter.institution.map(institutionID)
        let words = filter.search?.split(whereSeparator: \.isWhitespace).map(String.init) ?? []
        // Chinese and Japanese are written without spaces, which the word index cannot split:
        // such words are found where they occur in the text.
        let written = words.filter { $0.unicodeScalars.contains { $0.properties.isIdeographic } }
        let indexed = words.filter { !written.contains($0) }.map { word in
            let prefix = word.hasSuffix("*")
            let bare = prefix ? String(word.dropLast()) : word
            return "\"" + bare.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "")
        }
        let search = indexed.isEmpty ? nil : indexed.joined(separator: " ")
        let literal = written.isEmpty ? nil : FieldValue.listJSON(written)
        let sql = """
            SELECT r.id, r.text, r.session, r.state_under_review, r.position, m.code, \(ImplementationStatus.sql("r")) AS status,
              (SELECT x.role FROM assignment x JOIN institution i ON i.id = x.institution_id
               WHERE x._deleted IS NULL AND i._deleted IS NULL AND i.org_id = :org
                 AND (x.recommendation_id = r.id OR x.cluster_id IN (
                   SELECT cm.cluster_id FROM cluster_member cm JOIN cluster c ON c.id = cm.cluster_id
                   WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL AND c._deleted IS NULL))
               ORDER BY x.role = 'lead' DESC LIMIT 1) AS role
            FROM recommendation r LEFT JOIN mechanism m ON m.id = r.mechanism_id AND m._deleted IS NULL
            WHERE r._deleted IS NULL
              AND (:mechanism IS NULL OR m.code = :mechanism COLLATE NOCASE)
              AND (:session IS NULL OR r.session = :session)
              AND (:cycle IS NULL OR r.cycle = :cycle)
              AND (:theme IS NULL OR EXISTS (SELECT 1 FROM json_each(r.themes) WHERE lower(value) = lower(:theme)))
              AND (:sdg IS NULL OR EXISTS (SELECT 1 FROM json_each(r.sdg_targets) WHERE value = :sdg OR value LIKE :sdg || '.%'))
              AND (:position IS NULL OR r.position = :position)
              AND (:legislation IS NULL OR coalesce(r.needs_legislation, 0) = :legislation)
              AND (:institution IS NULL OR EXISTS (
                    SELECT 1 FROM assignment a WHERE a._deleted IS NULL AND a.institution_id = :institution
                      AND (a.recommendation_id = r.id OR a.cluster_id IN (
                        SELECT cm.cluster_id FROM cluster_member cm JOIN cluster c ON c.id = cm.cluster_id
                        WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL AND c._deleted IS NULL))))
              AND (:rating IS NULL OR (
                    SELECT s.rating FROM assessment s WHERE s._deleted IS NULL
                      AND (s.recommendation_id = r.id OR s.cluster_id IN (
                        SELECT cm.cluster_id FROM cluster_member cm WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL))
                    ORDER BY s.id DESC LIMIT 1) = :rating)
              AND (:search IS NULL OR r.rowid IN (SELECT rowid FROM recommendation_fts WHERE recommendation_fts MATCH :search))
              AND (:literal IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(:literal) w WHERE instr(r.text, w.value) = 0))
            """
        let arguments: StatementArguments = [
            "mechanism": filter.mechanism, "session": filter.session, "cycle": filter.cycle, "theme": filter.theme,
            "sdg": filter.sdg, "position": filter.position, "institution": institution, "search": search,
            "literal": literal, "status": filter.status?.rawValue, "org": try settings().org,
            "legislation": filter.needsLegislation, "rating": filter.rating,
        ]
        return (sql, arguments)
    }

    /// Counts recommendations by implementation status, grouped by mechanism, cluster, institution, SDG goal
    /// or the latest independent rating.
    public func summary(by grouping: String) throws -> [StatusCount] {
        let group: String
        switch grouping {
        case "mechanism":
            group =
                "SELECT r.id AS rec, coalesce(m.code, '(none)') AS grp FROM recommendation r LEFT JOIN mechanism m ON m.id = r.mechanism_id WHERE r._deleted IS NULL"
        case "cluster":
            group = """
                SELECT cm.recommendation_id AS rec, c.title AS grp FROM cluster_member cm
                JOIN cluster c ON c.id = cm.cluster_id AND c._deleted IS NULL WHERE cm._deleted IS NULL
                """
        case "institution":
            group = """
                SELECT coalesce(a.recommendation_id, cm.recommendation_id) AS rec, i.name AS grp FROM assignment a
                JOIN institution i ON i.id = a.institution_id
                LEFT JOIN cluster_member cm ON cm.cluster_id = a.cluster_id AND cm._deleted IS NULL
                WHERE a._deleted IS NULL
                """
        case "rating":
            // The latest assessment of each recommendation (ids are time-ordered), of it or of a
            // cluster holding it: the NHRI's own drafts on its replica, published ones elsewhere.
            group = """
                SELECT r.id AS rec, coalesce((
                  SELECT s.rating FROM assessment s WHERE s._deleted IS NULL
                    AND (s.recommendation_id = r.id OR s.cluster_id IN (
                      SELECT cm.cluster_id FROM cluster_member cm WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL))
                  ORDER BY s.id DESC LIMIT 1), '(not assessed)') AS grp
                FROM recommendation r WHERE r._deleted IS NULL
                """
        case "sdg":
            group = """
                SELECT r.id AS rec, 'SDG ' || CAST(CAST(j.value AS INTEGER) AS TEXT) AS grp
                FROM recommendation r, json_each(r.sdg_targets) j WHERE r._deleted IS NULL
                """
        default:
            throw ReplicaError(
                .invalidGrouping, "group by mechanism, cluster, institution, sdg or rating, not '\(grouping)'")
        }
        let sql = """
            SELECT g.grp, \(ImplementationStatus.sql("r")) AS status, count(DISTINCT r.id)
            FROM (\(group)) g JOIN recommendation r ON r.id = g.rec AND r._deleted IS NULL
            GROUP BY g.grp, status ORDER BY g.grp
            """
        return try read { db in
            var result: [String: StatusCount] = [:]
            for row in try Row.fetchAll(db, sql: sql) {
                let name: String = row[0] ?? "(none)"
                var entry = result[name] ?? StatusCount(group: name, total: 0, counts: [:])
                let count: Int = row[2]
                entry.counts[row[1], default: 0] += count
                entry.total += count
                result[name] = entry
            }
            return result.values.sorted { $0.group.localizedStandardCompare($1.group) == .orderedAscending }
        }
    }

    /// Actions, recommendations and oversight requests past their due date on `today`.
    public func overdue(today: String) throws -> [OverdueItem] {
        try read { db in
            var items: [OverdueItem] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.title, a.due_date, i.name FROM action a
                    LEFT JOIN institution i ON i.id = a.institution_id AND i._deleted IS NULL
                    WHERE a._deleted IS NULL AND a.revision_of IS NULL AND a.due_date < ?
                      AND coalesce(a.status, 'planned') NOT IN ('completed', 'cancelled') ORDER BY a.due_date
                    """, arguments: [today])
            {
                items.append(
                    OverdueItem(table: "action", id: row[0], title: row[1] ?? "", due: row[2], institution: row[3]))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.text, r.follow_up_due, (
                        SELECT group_concat(name, ', ') FROM (
                          SELECT DISTINCT i.name FROM assignment x JOIN institution i ON i.id = x.institution_id
                          WHERE x._deleted IS NULL AND i._deleted IS NULL AND x.role = 'lead'
                            AND (x.recommendation_id = r.id OR x.cluster_id IN (
                              SELECT cm.cluster_id FROM cluster_member cm
                              WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL))
                          ORDER BY i.name))
                    FROM recommendation r WHERE r._deleted IS NULL
                      AND r.follow_up_due < ? AND \(ImplementationStatus.sql("r")) != 'completed' ORDER BY r.follow_up_due
                    """, arguments: [today])
            {
                items.append(
                    OverdueItem(
                        table: "recommendation", id: row[0], title: row[1] ?? "", due: row[2], institution: row[3]))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT q.id, q.text, q.due_date, i.name FROM oversight_request q
                    LEFT JOIN institution i ON i.id = q.institution_id AND i._deleted IS NULL
                    WHERE q._deleted IS NULL AND q.due_date < ?
                      AND NOT EXISTS (SELECT 1 FROM oversight_response s WHERE s.oversight_request_id = q.id
                        AND s._deleted IS NULL AND s.state != 'draft') ORDER BY q.due_date
                    """, arguments: [today])
            {
                items.append(
                    OverdueItem(
                        table: "oversight_request", id: row[0], title: row[1] ?? "", due: row[2], institution: row[3]))
            }
            return items
        }
    }

    /// Rows of `table` whose column `column` holds `id` (or, for a list column, lists it), live, in id order.
    public func rows(_ table: String, where column: String, is id: String) throws -> [(
        id: String, values: [String: FieldValue]
    )] {
        let schemaTable = try self.table(table)
        guard schemaTable.column(column) != nil else {
            throw ReplicaError(.unknownColumn, "table '\(table)' has no column '\(column)'")
        }
        // A list column holds a JSON array: match one of its items.
        let condition =
            schemaTable.column(column)?.type == .list
            ? "EXISTS (SELECT 1 FROM json_each(\(table).\(column)) WHERE json_each.value = ?)" : "\(column) = ?"
        let ids = try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM \(table) WHERE \(condition) AND _deleted IS NULL ORDER BY id", arguments: [id]
            )
        }
        return try ids.compactMap { rowID in try row(table, id: rowID).map { (rowID, $0) } }
    }
}
