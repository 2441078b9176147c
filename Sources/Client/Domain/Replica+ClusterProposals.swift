import GRDB
import RowStorage
import Shared

/// What the secretariat groups recommendations by when it proposes clusters.
public enum ClusterBasis: String, Sendable, Equatable, CaseIterable {
    /// The recommendation's themes (as the UN indexes them).
    case theme
    /// The SDG goals of its targets.
    case sdg
}

/// A cluster proposed for review: a title and the recommendations that would join it.
public struct ClusterProposal: Sendable, Equatable, Codable {
    /// The proposed title: the theme, or "SDG 5: Gender equality".
    public var title: String
    /// What it groups by.
    public var basis: String
    /// The recommendations that would join it, by session then id.
    public var recommendations: [String]
    /// How many of them already belong to a cluster.
    public var alreadyClustered: Int

    enum CodingKeys: String, CodingKey {
        case title, basis, recommendations
        case alreadyClustered = "already_clustered"
    }
}

extension Replica {
    /// Proposes clusters from the recommendations' themes or SDG goals, for the secretariat to
    /// review; nothing is recorded.
    ///
    /// A proposal whose title an existing live cluster already has is left out, and so is one of
    /// fewer than `minimum` recommendations. Proposals come largest first, then by title.
    public func proposeClusters(by basis: ClusterBasis, minimum: Int = 2) throws -> [ClusterProposal] {
        let grouping: String
        switch basis {
        case .theme:
            grouping = """
                SELECT trim(j.value) AS title, r.id AS rec, r.session AS session
                FROM recommendation r, json_each(r.themes) j
                WHERE r._deleted IS NULL AND trim(j.value) != ''
                """
        case .sdg:
            grouping = """
                SELECT CAST(CAST(j.value AS INTEGER) AS TEXT) AS title, r.id AS rec, r.session AS session
                FROM recommendation r, json_each(r.sdg_targets) j
                WHERE r._deleted IS NULL
                """
        }
        let sql = """
            SELECT g.title, g.rec, EXISTS (
              SELECT 1 FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id
              WHERE m.recommendation_id = g.rec AND m._deleted IS NULL AND c._deleted IS NULL) AS clustered
            FROM (\(grouping)) g
            GROUP BY g.title, g.rec
            ORDER BY g.title, g.session, g.rec
            """
        return try read { db in
            let existing = Set(
                try String.fetchAll(
                    db, sql: "SELECT lower(title) FROM cluster WHERE _deleted IS NULL AND title IS NOT NULL"))
            var proposals: [String: ClusterProposal] = [:]
            var order: [String] = []
            for row in try Row.fetchAll(db, sql: sql) {
                let key: String = row[0]
                var title = key
                if basis == .sdg, let number = Int(key), let goal = SustainableDevelopmentGoals.goal(number) {
                    title = "SDG \(number): \(goal.title)"
                }
                if proposals[key] == nil {
                    proposals[key] = ClusterProposal(
                        title: title, basis: basis.rawValue, recommendations: [], alreadyClustered: 0)
                    order.append(key)
                }
                proposals[key]?.recommendations.append(row[1])
                if row[2] as Bool { proposals[key]?.alreadyClustered += 1 }
            }
            return order.compactMap { proposals[$0] }
                .filter { $0.recommendations.count >= minimum && !existing.contains($0.title.lowercased()) }
                .sorted {
                    ($0.recommendations.count, $1.title) > ($1.recommendations.count, $0.title)
                }
        }
    }

    /// Creates a proposed cluster (kind `theme`) with its recommendations, in one transaction.
    ///
    /// - Returns: the cluster's id.
    @discardableResult
    public func acceptProposal(_ proposal: ClusterProposal) throws -> String {
        let cluster = UUIDv7.make()
        var edits = [
            RowEdit(table: "cluster", id: cluster, fields: ["title": .text(proposal.title), "kind": .text("theme")])
        ]
        for recommendation in Array(Set(proposal.recommendations)).sorted() {
            edits.append(
                RowEdit(
                    table: "cluster_member",
                    fields: ["cluster_id": .text(cluster), "recommendation_id": .text(recommendation)]))
        }
        try putAuthorised(edits)
        return cluster
    }
}
