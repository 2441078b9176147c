import Shared

/// A recommendation with everything that reaches it on this replica.
///
/// That is: its clusters, the assignments of it and of its clusters, actions with their
/// indicators and progress, published assessments of it and of its clusters with the
/// government's replies, submissions, bills and parliamentary oversight. Work on one of its
/// clusters, or listing it among what it `covers`, reaches it too.
///
/// Encodes as `followup recs show --json` prints it: each row an object of its columns and `id`.
public struct RecommendationDetail: Sendable, Equatable, Encodable {
    /// The recommendation's columns and `id`.
    public var recommendation: [String: FieldValue]
    /// The clusters holding it, in id order.
    public var clusters: [[String: FieldValue]]
    /// Its assignments and those of its clusters (which carry `cluster_id`), in id order.
    public var assignments: [[String: FieldValue]]
    /// Its actions, those of its clusters and those covering it, in id order.
    public var actions: [[String: FieldValue]]
    /// The indicators of it or of its actions, in id order.
    public var indicators: [[String: FieldValue]]
    /// The progress updates of its actions, action by action.
    public var progress: [[String: FieldValue]]
    /// The published assessments of it and of its clusters (drafts are left out), in id order.
    public var assessments: [[String: FieldValue]]
    /// The government's replies to those assessments that this replica may see, in id order.
    public var replies: [[String: FieldValue]]
    /// The submissions about it, its clusters or covering it that this replica may see, in id order.
    public var submissions: [[String: FieldValue]]
    /// The bills implementing it, one of its clusters, or covering it, in id order.
    public var bills: [[String: FieldValue]]
    /// The oversight requests about it, in id order.
    public var oversight: [[String: FieldValue]]
    /// The answers to those requests, request by request.
    public var responses: [[String: FieldValue]]
    /// Revisions proposed for its published actions, progress updates and replies (the rows
    /// above leave them out), in id order.
    public var revisions: [[String: FieldValue]] = []
    /// The names of the institutions on this replica the assignments name, by institution id
    /// (the id itself for one without a name); not encoded.
    public var institutionNames: [String: String]

    enum CodingKeys: String, CodingKey {
        case recommendation, clusters, assignments, actions, indicators, progress, assessments, replies, submissions
        case bills, oversight, responses, revisions
    }
}

extension Replica {
    /// Gathers recommendation `id` with everything that reaches it, directly or through its
    /// clusters, or fails with `row_not_found`.
    public func recommendationDetail(_ id: String) throws -> RecommendationDetail {
        guard var recommendation = try row("recommendation", id: id) else {
            throw ReplicaError(.rowNotFound, "there is no recommendation \(id) on this replica")
        }
        recommendation["id"] = .text(id)
        typealias Rows = [(id: String, values: [String: FieldValue])]
        func withID(_ rows: Rows) -> [[String: FieldValue]] {
            rows.sorted { $0.id < $1.id }.map {
                var values = $0.values
                values["id"] = .text($0.id)
                return values
            }
        }
        /// Rows of `table` whose `column` names `id` or one of the clusters, or (with a `covers`
        /// column) that list `id` there, each once.
        func reaching(_ table: String, recommendation column: String, clusters: [String]) throws -> Rows {
            var found = try rows(table, where: column, is: id)
            for cluster in clusters { found += try rows(table, where: "cluster_id", is: cluster) }
            if try self.table(table).column("covers") != nil { found += try rows(table, where: "covers", is: id) }
            var seen: Set<String> = []
            return found.filter { seen.insert($0.id).inserted }
        }
        let clusterIDs = try rows("cluster_member", where: "recommendation_id", is: id)
            .compactMap { AccessPolicy.text($0.values["cluster_id"]) }
        let clusters = try Set(clusterIDs).sorted().compactMap { cluster in
            try row("cluster", id: cluster).map { (id: cluster, values: $0) }
        }
        let live = clusters.map(\.id)
        // A revision of published work is shown beside the row it revises, not as more work.
        var revisions: Rows = []
        func withoutRevisions(_ found: Rows) -> Rows {
            revisions += found.filter { $0.values["revision_of"] != nil }
            return found.filter { $0.values["revision_of"] == nil }
        }
        let assignments = try reaching("assignment", recommendation: "recommendation_id", clusters: live)
        let actions = withoutRevisions(try reaching("action", recommendation: "recommendation_id", clusters: live))
        var indicators = try rows("indicator", where: "recommendation_id", is: id)
        for action in actions {
            indicators += try rows("indicator", where: "action_id", is: action.id)
                .filter { row in !indicators.contains { $0.id == row.id } }
        }
        let progress = withoutRevisions(
            try actions.flatMap { try rows("progress_update", where: "action_id", is: $0.id) })
        let assessments = try reaching("assessment", recommendation: "recommendation_id", clusters: live)
            .filter { $0.values["state"] == .text("published") }
        let replies = withoutRevisions(
            try assessments.flatMap { try rows("assessment_reply", where: "assessment_id", is: $0.id) })
        let requests = try rows("oversight_request", where: "recommendation_id", is: id)
        let responses = try requests.flatMap {
            try rows("oversight_response", where: "oversight_request_id", is: $0.id)
        }
        var names: [String: String] = [:]
        for assignment in assignments {
            guard case .text(let institution) = assignment.values["institution_id"],
                let values = try? row("institution", id: institution)
            else { continue }
            names[institution] = values["name"]?.description ?? institution
        }
        return RecommendationDetail(
            recommendation: recommendation, clusters: withID(clusters), assignments: withID(assignments),
            actions: withID(actions), indicators: withID(indicators), progress: withID(progress),
            assessments: withID(assessments), replies: withID(replies),
            submissions: withID(try reaching("submission", recommendation: "recommendation_id", clusters: live)),
            bills: withID(try reaching("bill", recommendation: "recommendation_id", clusters: live)),
            oversight: withID(requests), responses: withID(responses), revisions: withID(revisions),
            institutionNames: names)
    }
}
