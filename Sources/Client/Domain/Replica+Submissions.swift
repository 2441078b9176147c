import Foundation
import Shared

/// Information on a recommendation or a cluster from civil society, as `Replica.addSubmission(_:)` takes it.
public struct NewSubmission: Sendable, Equatable {
    /// The recommendation, or the cluster, concerned (its id).
    public var target: String
    /// Further recommendations it also concerns (ids; input `covers`).
    public var covers: [String] = []
    /// The information.
    public var text: String
    /// Whether it is for the NHRI only (it names victims or defenders).
    public var confidential = false

    /// Creates a submission on a recommendation or a cluster.
    public init(target: String, text: String, confidential: Bool = false) {
        self.target = target
        self.text = text
        self.confidential = confidential
    }

    /// Creates a submission on a recommendation.
    public init(recommendation: String, text: String, confidential: Bool = false) {
        self.init(target: recommendation, text: text, confidential: confidential)
    }
}

extension Replica {
    /// Adds a submission on a recommendation or a cluster (NGOs, the UN country team).
    ///
    /// It stays a draft, read by every organisation (or, when confidential, by the NHRI alone)
    /// until `publishSubmission(_:)` makes a non-confidential one public.
    ///
    /// - Returns: the submission's id.
    public func addSubmission(_ submission: NewSubmission) throws -> String {
        let table = try recommendationOrCluster(submission.target)
        var fields: [String: FieldValue] = [
            "\(table)_id": .text(submission.target), "text": .text(submission.text),
            "confidential": .bool(submission.confidential),
        ]
        if !submission.covers.isEmpty { fields["covers"] = .list(try coveredRecommendations(submission.covers)) }
        return try putAuthorised("submission", fields: fields)
    }

    /// Publishes a submission to the public (its owner); a confidential one is refused with
    /// `invalid_value`, since it is for the NHRI alone.
    public func publishSubmission(_ id: String) throws {
        try requireRow("submission", id)
        try move(id, to: "published")
    }

    /// Refuses to make a confidential submission public: it is for the NHRI alone.
    func refusePublishingConfidential(_ id: String) throws {
        guard try row("submission", id: id)?["confidential"] != .bool(true) else {
            throw ReplicaError(
                .invalidValue, "a confidential submission is for the NHRI alone and cannot be made public")
        }
    }

    /// The submissions this replica holds whose text contains `search` (any case; all of them
    /// when nil), in id order, with confidential texts opened where this replica holds the key:
    /// the NHRI searches what was sealed to it, on its own replica only.
    public func submissions(matching search: String? = nil) throws -> [(id: String, values: [String: FieldValue])] {
        try rows("submission").filter { row in
            guard let search, !search.isEmpty else { return true }
            return AccessPolicy.text(row.values["text"])?.localizedCaseInsensitiveContains(search) == true
        }
    }
}
