import Shared

/// An independent assessment of a recommendation or cluster, as `Replica.recordAssessment(_:)` takes it.
public struct NewAssessment: Sendable, Equatable {
    /// The recommendation or cluster assessed.
    public var target: String
    /// `no_progress`, `limited`, `partial`, `substantial` or `implemented`.
    public var rating: String
    /// Why.
    public var rationale: String
    /// Sources.
    public var sources: String?

    /// Creates an assessment.
    public init(target: String, rating: String, rationale: String, sources: String? = nil) {
        self.target = target
        self.rating = rating
        self.rationale = rationale
        self.sources = sources
    }
}

extension Replica {
    /// Records an assessment (NHRI); it stays a draft, seen by its organisation only, until published.
    ///
    /// - Returns: the assessment's id.
    public func recordAssessment(_ assessment: NewAssessment) throws -> String {
        let table = try recommendationOrCluster(assessment.target)
        var fields: [String: FieldValue] = [
            "\(table)_id": .text(assessment.target), "rating": .text(assessment.rating),
            "rationale": .text(assessment.rationale),
        ]
        fields["sources"] = assessment.sources.map(FieldValue.text)
        return try putAuthorised("assessment", fields: fields)
    }
}

extension Replica {
    /// Drafts the government's reply to an assessment (the secretariat, a ministry or the
    /// judiciary); it is submitted and published like government work, the secretariat publishing.
    ///
    /// - Returns: the reply's id.
    public func replyToAssessment(_ assessment: String, text: String) throws -> String {
        try requireRow("assessment", assessment)
        return try putAuthorised("assessment_reply", fields: ["assessment_id": .text(assessment), "text": .text(text)])
    }
}
