import Foundation
import Shared

/// A cluster of recommendations grouped by theme, as `Replica.createCluster(_:)` takes it.
public struct NewCluster: Sendable, Equatable {
    /// The title.
    public var title: String
    /// `theme` or `custom`.
    public var kind = "custom"
    /// A description.
    public var description: String?

    /// Creates a cluster with its title.
    public init(title: String, kind: String = "custom", description: String? = nil) {
        self.title = title
        self.kind = kind
        self.description = description
    }
}

extension Replica {
    /// Creates a cluster (secretariat).
    ///
    /// - Returns: the cluster's id.
    public func createCluster(_ cluster: NewCluster) throws -> String {
        var fields: [String: FieldValue] = ["title": .text(cluster.title), "kind": .text(cluster.kind)]
        if let description = cluster.description { fields["description"] = .text(description) }
        return try putAuthorised("cluster", fields: fields)
    }

    /// Adds recommendations to a cluster in one transaction; those already in it, and repeats in
    /// `recommendations`, are skipped.
    ///
    /// Fails with `row_not_found` (and adds nothing) when the cluster or a recommendation is not
    /// on this replica.
    ///
    /// - Returns: how many recommendations were added.
    @discardableResult
    public func addToCluster(_ cluster: String, recommendations: [String]) throws -> Int {
        try requireRow("cluster", cluster)
        let members = try rows("cluster_member", where: "cluster_id", is: cluster)
        var edits: [RowEdit] = []
        var present = Set(members.compactMap { AccessPolicy.text($0.values["recommendation_id"]) })
        for recommendation in recommendations {
            try requireRow("recommendation", recommendation)
            guard present.insert(recommendation).inserted else { continue }
            edits.append(
                RowEdit(
                    table: "cluster_member",
                    fields: ["cluster_id": .text(cluster), "recommendation_id": .text(recommendation)]))
        }
        _ = try putAuthorised(edits)
        return edits.count
    }

    /// Removes recommendations from a cluster; those not in it are ignored.
    ///
    /// - Returns: how many recommendations were removed.
    @discardableResult
    public func removeFromCluster(_ cluster: String, recommendations: [String]) throws -> Int {
        let members = try rows("cluster_member", where: "cluster_id", is: cluster)
        var removed = 0
        for member in members where recommendations.contains(member.values["recommendation_id"]?.description ?? "") {
            try delete("cluster_member", id: member.id)
            removed += 1
        }
        return removed
    }
}

/// A cluster with its members, as the secretariat reviews it.
public struct ClusterDetail: Sendable, Equatable, Codable {
    /// The cluster's id.
    public var id: String
    /// Its title.
    public var title: String
    /// `theme` or `custom`.
    public var kind: String?
    /// Its member recommendations, by session then id.
    public var members: [RecommendationSummary]
}

extension Replica {
    /// Every live cluster with its members, by title.
    public func clusters() throws -> [ClusterDetail] {
        let summaries = try recommendations(RecommendationFilter())
        return try rows("cluster").map { try clusterDetail($0.id, values: $0.values, among: summaries) }
            .sorted { $0.title.localizedStandardCompare($1.title) == .orderedAscending }
    }

    /// Cluster `id` with its members, or `row_not_found`.
    public func cluster(_ id: String) throws -> ClusterDetail {
        guard let values = try row("cluster", id: id) else {
            throw ReplicaError(.rowNotFound, "there is no cluster \(id) on this replica")
        }
        return try clusterDetail(id, values: values, among: try recommendations(RecommendationFilter()))
    }

    private func clusterDetail(
        _ id: String, values: [String: FieldValue], among summaries: [RecommendationSummary]
    ) throws -> ClusterDetail {
        let members = Set(
            try rows("cluster_member", where: "cluster_id", is: id).compactMap {
                AccessPolicy.text($0.values["recommendation_id"])
            })
        return ClusterDetail(
            id: id, title: AccessPolicy.text(values["title"]) ?? "", kind: AccessPolicy.text(values["kind"]),
            members: summaries.filter { members.contains($0.id) })
    }
}
