import Shared

/// A recommendation with its assignments, actions, their progress and its published assessments.
///
/// Encodes as `followup recs show --json` prints it: each row an object of its columns and `id`.
public struct RecommendationDetail: Sendable, Equatable, Encodable {
    /// The recommendation's columns and `id`.
    public var recommendation: [String: FieldValue]
    /// Its assignments, in id order.
    public var assignments: [[String: FieldValue]]
    /// Its actions, in id order.
    public var actions: [[String: FieldValue]]
    /// The progress updates of those actions, action by action.
    public var progress: [[String: FieldValue]]
    /// Its published assessments (drafts are left out), in id order.
    public var assessments: [[String: FieldValue]]
    /// The names of the institutions on this replica the assignments name, by institution id
    /// (the id itself for one without a name); not encoded.
    public var institutionNames: [String: String]

    enum CodingKeys: String, CodingKey {
        case recommendation, assignments, actions, progress, assessments
    }
}

extension Replica {
    /// Gathers recommendation `id` with everything done about it, or fails with `row_not_found`.
    public func recommendationDetail(_ id: String) throws -> RecommendationDetail {
        guard var recommendation = try row("recommendation", id: id) else {
            throw ReplicaError(.rowNotFound, "there is no recommendation \(id) on this replica")
        }
        recommendation["id"] = .text(id)
        func withID(_ rows: [(id: String, values: [String: FieldValue])]) -> [[String: FieldValue]] {
            rows.map {
                var values = $0.values
                values["id"] = .text($0.id)
                return values
            }
        }
        let actions = try rows("action", where: "recommendation_id", is: id)
        let progress = try actions.flatMap { try rows("progress_update", where: "action_id", is: $0.id) }
        let assessments = try rows("assessment", where: "recommendation_id", is: id)
            .filter { $0.values["state"] == .text("published") }
        let assignments = try rows("assignment", where: "recommendation_id", is: id)
        var names: [String: String] = [:]
        for assignment in assignments {
            guard case .text(let institution) = assignment.values["institution_id"],
                let values = try? row("institution", id: institution)
            else { continue }
            names[institution] = values["name"]?.description ?? institution
        }
        return RecommendationDetail(
            recommendation: recommendation, assignments: withID(assignments), actions: withID(actions),
            progress: withID(progress), assessments: withID(assessments), institutionNames: names)
    }
}
