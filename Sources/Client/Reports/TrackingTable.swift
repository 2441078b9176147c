import Foundation
import GRDB
import Shared

/// The recommendations tracking table as users keep it in a spreadsheet: one row a
/// recommendation, every match of a filter, no hidden limit.
///
/// It holds what the replica holds: on a ministry's replica its drafts count in the status and
/// the latest progress. The NHRI rating is the latest *published* assessment by an NHRI.
public struct TrackingTable: Sendable, Equatable {
    /// One column of the table: its key (a JSON member name and the header) and its kind.
    public struct Column: Sendable, Equatable {
        public var key: String
        /// Whether a value is a list (`;`-joined in CSV and XLSX, an array in JSON).
        public var isList: Bool
        /// Whether a value is an integer (a number cell in XLSX, a number in JSON).
        public var isInteger: Bool
    }

    /// One cell's value.
    public enum Cell: Sendable, Equatable {
        case text(String)
        case integer(Int)
        case list([String])
        case empty

        /// The value as a spreadsheet cell shows it: list items joined by `"; "`.
        public var flat: String {
            switch self {
            case .text(let text): text
            case .integer(let number): String(number)
            case .list(let items): items.joined(separator: "; ")
            case .empty: ""
            }
        }
    }

    /// The columns, in order.
    public static let columns: [Column] = [
        ("id", false, false), ("document_symbol", false, false), ("paragraph", false, false), ("text", false, false),
        ("mechanism", false, false), ("session", false, true), ("cycle", false, true),
        ("recommending_states", true, false), ("position", false, false), ("themes", true, false),
        ("sdg_targets", true, false), ("clusters", true, false), ("lead_institutions", true, false),
        ("contributing_institutions", true, false), ("status", false, false), ("nhri_rating", false, false),
        ("latest_progress", false, false),
    ].map { Column(key: $0.0, isList: $0.1, isInteger: $0.2) }

    /// The rows, in the order of `recs list` (session, then id); each has one cell a column.
    public var rows: [[Cell]]
}

extension Replica {
    /// The tracking table of every recommendation matching `filter` (its `limit` and `offset` are
    /// ignored: an export holds every match).
    public func trackingTable(_ filter: RecommendationFilter) throws -> TrackingTable {
        var everything = filter
        everything.limit = nil
        everything.offset = 0
        let found = try recommendations(everything)
        let ids = FieldValue.listJSON(found.map(\.id))
        let names = "SELECT group_concat(name, char(31)) FROM (SELECT DISTINCT i.name FROM assignment x"
        let assigned = """
            JOIN institution i ON i.id = x.institution_id
            WHERE x._deleted IS NULL AND i._deleted IS NULL AND x.role = ?
              AND (x.recommendation_id = r.id OR x.cluster_id IN (
                SELECT cm.cluster_id FROM cluster_member cm JOIN cluster c ON c.id = cm.cluster_id
                WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL AND c._deleted IS NULL))
            ORDER BY i.name)
            """
        let actions = """
            (a.recommendation_id = r.id OR a.cluster_id IN (
              SELECT cm.cluster_id FROM cluster_member cm WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL)
             OR EXISTS (SELECT 1 FROM json_each(a.covers) WHERE value = r.id))
            """
        let sql = """
            SELECT r.id, r.document_symbol, r.paragraph, r.text, m.code, r.session, r.cycle,
              r.recommending_states, r.position, r.themes, r.sdg_targets,
              (SELECT group_concat(title, char(31)) FROM (SELECT DISTINCT c.title FROM cluster_member cm
                 JOIN cluster c ON c.id = cm.cluster_id
                 WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL AND c._deleted IS NULL ORDER BY c.title)),
              (\(names) \(assigned)), (\(names) \(assigned)),
              (SELECT s.rating FROM assessment s
                 JOIN institution n ON n.org_id = s.owner_org AND n.kind = 'nhri' AND n._deleted IS NULL
                 WHERE s._deleted IS NULL AND s.state = 'published'
                   AND (s.recommendation_id = r.id OR s.cluster_id IN (
                     SELECT cm.cluster_id FROM cluster_member cm WHERE cm.recommendation_id = r.id AND cm._deleted IS NULL))
                 ORDER BY s.id DESC LIMIT 1),
              (SELECT trim(coalesce(p.date, '') || ' ' || coalesce(p.narrative, '')) FROM progress_update p
                 JOIN action a ON a.id = p.action_id AND a._deleted IS NULL AND a.revision_of IS NULL
                 WHERE p._deleted IS NULL AND p.revision_of IS NULL AND \(actions)
                 ORDER BY p.date DESC, p.id DESC LIMIT 1)
            FROM recommendation r LEFT JOIN mechanism m ON m.id = r.mechanism_id AND m._deleted IS NULL
            WHERE r.id IN (SELECT value FROM json_each(?))
            """
        let byID: [String: Row] = try read { db in
            var rows: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: ["lead", "contributing", ids]) {
                rows[row[0]] = row.copy()
            }
            return rows
        }
        func text(_ value: String?) -> TrackingTable.Cell {
            guard let value, !value.isEmpty else { return .empty }
            return .text(value)
        }
        func list(_ json: String?) -> TrackingTable.Cell {
            guard let json, let items = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
                !items.isEmpty
            else { return .empty }
            return .list(items)
        }
        func joined(_ value: String?) -> TrackingTable.Cell {
            guard let value, !value.isEmpty else { return .empty }
            return .list(value.split(separator: "\u{1F}", omittingEmptySubsequences: true).map(String.init))
        }
        let rows = found.compactMap { summary -> [TrackingTable.Cell]? in
            guard let row = byID[summary.id] else { return nil }
            let session: Int? = row[5]
            let cycle: Int? = row[6]
            return [
                .text(summary.id), text(row[1]), text(row[2]), text(row[3]), text(row[4]),
                session.map(TrackingTable.Cell.integer) ?? .empty, cycle.map(TrackingTable.Cell.integer) ?? .empty,
                list(row[7]), text(row[8]), list(row[9]), list(row[10]), joined(row[11]), joined(row[12]),
                joined(row[13]), .text(summary.status.rawValue), text(row[14]), text(row[15]),
            ]
        }
        return TrackingTable(rows: rows)
    }
}
