import Shared

/// The part an institution takes in implementing a recommendation.
public enum AssignmentRole: String, Sendable, Equatable, CaseIterable {
    /// The lead institution.
    case lead
    /// A contributing institution.
    case contributing
}

/// An assignment of a recommendation or a cluster to an institution, as `Replica.assign(_:)` takes it.
public struct NewAssignment: Sendable, Equatable {
    /// A recommendation id or a cluster id.
    public var target: String
    /// The institution (row id or organisation id).
    public var institution: String
    /// Lead or contributing.
    public var role: AssignmentRole
    /// The focal point's name.
    public var focalPoint: String?

    /// Creates an assignment.
    public init(target: String, institution: String, role: AssignmentRole, focalPoint: String? = nil) {
        self.target = target
        self.institution = institution
        self.role = role
        self.focalPoint = focalPoint
    }
}

extension Replica {
    /// Assigns a recommendation or a cluster to an institution (secretariat).
    ///
    /// Fails with `row_not_found` when the target is neither a recommendation nor a cluster on
    /// this replica, or the institution is unknown, and with `already_exists` when the
    /// institution is already assigned to it (change that assignment instead).
    ///
    /// - Returns: the assignment's id.
    public func assign(_ assignment: NewAssignment) throws -> String {
        let table = try recommendationOrCluster(assignment.target)
        let institution = try institutionID(assignment.institution)
        if let existing = try rows("assignment", where: "\(table)_id", is: assignment.target).first(where: {
            $0.values["institution_id"] == .text(institution)
        }) {
            throw ReplicaError(
                .alreadyExists,
                "\(assignment.institution) is already assigned to this \(table) (as \(existing.values["role"]?.description ?? "?"), assignment \(existing.id))"
            )
        }
        var fields: [String: FieldValue] = [
            "\(table)_id": .text(assignment.target), "institution_id": .text(institution),
            "role": .text(assignment.role.rawValue),
        ]
        if let focalPoint = assignment.focalPoint { fields["focal_point"] = .text(focalPoint) }
        return try putAuthorised("assignment", fields: fields)
    }

    /// The table of `id`, `recommendation` or `cluster`, or a `row_not_found` error.
    func recommendationOrCluster(_ id: String) throws -> String {
        guard let table = try tableOf(id, among: ["recommendation", "cluster"]) else {
            throw ReplicaError(.rowNotFound, "no recommendation or cluster \(id) on this replica")
        }
        return table
    }
}
