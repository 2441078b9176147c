import Shared

/// Information on a recommendation from civil society, as `Replica.addSubmission(_:)` takes it.
public struct NewSubmission: Sendable, Equatable {
    /// The recommendation concerned.
    public var recommendation: String
    /// The information.
    public var text: String
    /// Whether it is for the NHRI only (it names victims or defenders).
    public var confidential = false

    /// Creates a submission.
    public init(recommendation: String, text: String, confidential: Bool = false) {
        self.recommendation = recommendation
        self.text = text
        self.confidential = confidential
    }
}

extension Replica {
    /// Adds a submission on a recommendation (NGOs).
    ///
    /// - Returns: the submission's id.
    public func addSubmission(_ submission: NewSubmission) throws -> String {
        try requireRow("recommendation", submission.recommendation)
        return try putAuthorised(
            "submission",
            fields: [
                "recommendation_id": .text(submission.recommendation), "text": .text(submission.text),
                "confidential": .bool(submission.confidential),
            ])
    }
}
