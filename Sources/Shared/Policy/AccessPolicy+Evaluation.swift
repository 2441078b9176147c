/// The facts about other rows the policy needs: a storage answers them from its merged state.
public protocol PolicyFacts {
    /// The live values of row `id` of `table` (server-managed columns included), or nil.
    func row(_ table: String, id: String) throws -> [String: FieldValue]?
    /// The organisations whose institution is assigned to recommendation `id`, directly or
    /// through a cluster that holds it.
    func assignedOrganisations(recommendation id: String) throws -> Set<String>
    /// The organisations whose institution is assigned to live cluster `id` itself.
    func assignedOrganisations(cluster id: String) throws -> Set<String>
}

/// A change a viewer asks to make to one row.
public enum WriteKind: String, Sendable, Hashable {
    /// The row does not exist yet.
    case create
    /// The row exists and the operation sets fields.
    case update
    /// The row exists and the operation deletes it.
    case delete
}

/// The policy's answer for one viewer and one row, with the line and reason that decide it.
public struct PolicyDecision: Sendable, Equatable {
    /// Whether the read or write is allowed.
    public var allowed: Bool
    /// The policy line that decides (`government-work`).
    public var line: String
    /// Why, in words a person understands.
    public var reason: String

    /// Creates a decision.
    public init(allowed: Bool, line: String, reason: String) {
        self.allowed = allowed
        self.line = line
        self.reason = reason
    }
}

extension AccessPolicy {
    /// The audience of a live row: the keys under which the server files it for pulls.
    public func audience(table: String, values: [String: FieldValue], facts: some PolicyFacts) throws -> Set<
        AudienceKey
    > {
        let (_, _, parties, subject) = try readers(table: table, values: values, facts: facts)
        var keys: Set<AudienceKey> = []
        for party in parties {
            keys.formUnion(try audienceKeys(of: party, table: subject.table, values: subject.values, facts: facts))
        }
        return keys
    }

    /// Whether `viewer` may read the live row, and why.
    public func decideRead(
        table: String, values: [String: FieldValue], viewer: Viewer, facts: some PolicyFacts
    ) throws -> PolicyDecision {
        guard self.line(for: table) != nil else {
            return PolicyDecision(allowed: false, line: "none", reason: "no policy line covers \(table)")
        }
        let (line, clause, parties, subject) = try readers(table: table, values: values, facts: facts)
        let held = Set(viewer.audienceKeys)
        for party in parties
        where !held.isDisjoint(
            with: try audienceKeys(of: party, table: subject.table, values: subject.values, facts: facts))
        {
            return PolicyDecision(
                allowed: true, line: line.name,
                reason:
                    "\(clause) is read by \(Self.list(parties)); \(viewer.org) (\(viewer.role.rawValue)) counts as \(party)"
            )
        }
        return PolicyDecision(
            allowed: false, line: line.name,
            reason:
                "\(clause) is read by \(Self.list(parties)) only; \(viewer.org) (\(viewer.role.rawValue)) is none of them"
        )
    }

    /// Whether `viewer` may make `kind` of change, judged on the whole row before and after it.
    ///
    /// - Parameters:
    ///   - before: the live row before the change (nil for a create).
    ///   - after: the row as the change would leave it, server-managed columns included (nil for a delete).
    public func decideWrite(
        _ kind: WriteKind, table: String, before: [String: FieldValue]?, after: [String: FieldValue]?,
        viewer: Viewer, facts: some PolicyFacts
    ) throws -> PolicyDecision {
        guard let line = line(for: table) else {
            return PolicyDecision(allowed: false, line: "none", reason: "no policy line lets anyone write \(table)")
        }
        let who = "\(viewer.org) (\(viewer.role.rawValue))"
        switch line.writes {
        case .asParent:
            return try decideAttachmentWrite(
                kind, line: line, before: before, after: after, viewer: viewer, facts: facts)
        case .parties(let creators, let writers, let deleters, let guardedStates, let guardedBy):
            func refuse(_ text: String) -> PolicyDecision {
                PolicyDecision(allowed: false, line: line.name, reason: text)
            }
            // The party that grants the write, found once and named in the reason.
            let party: Party
            switch kind {
            case .create:
                guard let after,
                    let creator = try matches(creators, viewer: viewer, table: table, values: after, facts: facts)
                else {
                    return refuse(
                        "\(who) may not create \(table) rows here: they are created by \(Self.list(creators))\(Self.scope(creators))"
                    )
                }
                party = creator
            case .update, .delete:
                guard let before,
                    let writer = try matches(writers, viewer: viewer, table: table, values: before, facts: facts)
                else {
                    return refuse(
                        "\(who) may not change this \(table): it is changed by \(Self.list(writers))\(Self.scope(writers))"
                    )
                }
                party = writer
                if kind == .delete,
                    try matches(deleters, viewer: viewer, table: table, values: before, facts: facts) == nil
                {
                    return refuse(
                        "\(who) may not delete this \(table): it is deleted by \(Self.list(deleters))\(Self.scope(deleters))"
                    )
                }
                // Afterwards the row must still be the viewer's to change, and one it could have
                // created: no moving a row out of one's rights (an action to a recommendation not
                // assigned to one, a response to a request addressed to someone else).
                if kind == .update, let after,
                    try matches(writers, viewer: viewer, table: table, values: after, facts: facts) == nil
                        || matches(creators, viewer: viewer, table: table, values: after, facts: facts) == nil
                {
                    return refuse(
                        "\(who) may not make this change: afterwards the \(table) would be outside its rights (it is changed by \(Self.list(writers))\(Self.scope(writers)))"
                    )
                }
            }
            if let workflow = schema.table(table)?.workflow, !guardedStates.isEmpty, kind != .create {
                let from = Self.text(before?[workflow.column]) ?? workflow.initial
                // Deleting a row is moving it out of its state.
                let to = kind == .delete ? "deleted" : Self.text(after?[workflow.column]) ?? from
                // A guarded state's rows change only through its guards: published government
                // work changes when the secretariat publishes again (others propose a revision).
                if guardedStates.contains(from) || guardedStates.contains(to),
                    try matches(guardedBy, viewer: viewer, table: table, values: before ?? [:], facts: facts) == nil
                {
                    let guarded = guardedStates.joined(separator: ", ")
                    return refuse(
                        from == to
                            ? "\(who) may not change this \(table) while it is \(from): only \(Self.list(guardedBy)) changes \(guarded) rows; propose a revision instead"
                            : "\(who) may not move this \(table) from \(from) to \(to): only \(Self.list(guardedBy)) moves it into or out of \(guarded)"
                    )
                }
            }
            let parties = kind == .create ? creators : writers
            return PolicyDecision(
                allowed: true, line: line.name,
                reason:
                    "\(table) rows are \(kind == .create ? "created" : "changed") by \(Self.list(parties)); \(who) counts as \(party)"
            )
        }
    }

    /// Whether `viewer` may change row `values` of `table` only by proposing a revision.
    ///
    /// True when the row stands in one of its policy line's guarded states (published
    /// government work) and the viewer is none of that line's guards: `decideWrite` would refuse
    /// a change in place, and a client records the edit as a revision instead (protocol §13).
    public func changesThroughRevision(
        table: String, values: [String: FieldValue], viewer: Viewer, facts: some PolicyFacts
    ) throws -> Bool {
        guard let line = line(for: table), case .parties(_, _, _, let guardedStates, let guardedBy) = line.writes,
            let workflow = schema.table(table)?.workflow
        else { return false }
        let state = Self.text(values[workflow.column]) ?? workflow.initial
        guard guardedStates.contains(state) else { return false }
        return try matches(guardedBy, viewer: viewer, table: table, values: values, facts: facts) == nil
    }

    private func decideAttachmentWrite(
        _ kind: WriteKind, line: PolicyLine, before: [String: FieldValue]?, after: [String: FieldValue]?,
        viewer: Viewer, facts: some PolicyFacts
    ) throws -> PolicyDecision {
        var reasons: [String] = []
        for (values, when) in [(before, "before"), (after, "after")] {
            guard let values else { continue }
            if let parent = try parent(of: values, facts: facts) {
                let decision = try decideWrite(
                    .update, table: parent.table, before: parent.values, after: parent.values, viewer: viewer,
                    facts: facts)
                guard decision.allowed else {
                    return PolicyDecision(
                        allowed: false, line: line.name,
                        reason: "an attachment is written as its parent row: \(decision.reason)")
                }
                reasons.append(decision.reason)
            } else if kind != .create || when == "before" {
                guard Self.text(values["owner_org"]) == viewer.org else {
                    return PolicyDecision(
                        allowed: false, line: line.name,
                        reason: "an attachment without a parent row is written by its owner only")
                }
            }
        }
        return PolicyDecision(
            allowed: true, line: line.name,
            reason: reasons.first.map { "an attachment is written as its parent row: \($0)" }
                ?? "an attachment without a parent row is written by its owner")
    }

    /// The line, the clause in words, the reading parties and the row they are judged on (the
    /// parent row for an attachment).
    private func readers(
        table: String, values: [String: FieldValue], facts: some PolicyFacts
    ) throws -> (PolicyLine, String, [Party], (table: String, values: [String: FieldValue])) {
        guard let line = line(for: table) else { throw Rejection(.unknownTable, "no policy line covers \(table)") }
        switch line.reads {
        case .always(let parties):
            return (line, "a \(table)", parties, (table, values))
        case .byValue:
            var rule = line.reads
            var states: [String] = []
            var conditions: [String] = []
            while case .byValue(let column, let initial, let cases) = rule {
                let value = Self.text(values[column]) ?? initial
                if column == "state" { states.append(value) } else { conditions.append("\(column) \(value)") }
                rule = cases.first { $0.value == value }?.readers ?? .always([])
            }
            guard case .always(let parties) = rule else {
                throw Rejection(.unknownTable, "the policy line \(line.name) nests a rule it cannot evaluate")
            }
            let clause =
                "a " + (states + [table]).joined(separator: " ")
                + (conditions.isEmpty ? "" : " with " + conditions.joined(separator: " and "))
            return (line, clause, parties, (table, values))
        case .asParent:
            if let parent = try parent(of: values, facts: facts), parent.table != table {
                let (_, clause, parties, subject) = try readers(
                    table: parent.table, values: parent.values, facts: facts)
                return (line, "an attachment of \(clause)", parties, subject)
            }
            return (line, "an attachment without a parent row", [.owner], (table, values))
        }
    }

    /// The live parent row an attachment names, if any.
    private func parent(
        of values: [String: FieldValue], facts: some PolicyFacts
    ) throws -> (table: String, values: [String: FieldValue])? {
        guard let table = Self.text(values["parent_table"]), let id = Self.text(values["parent_id"]),
            table != "attachment", line(for: table) != nil, let row = try facts.row(table, id: id)
        else { return nil }
        return (table, row)
    }

    /// The first of `parties` that includes `viewer` for this row, or nil.
    private func matches(
        _ parties: [Party], viewer: Viewer, table: String, values: [String: FieldValue], facts: some PolicyFacts
    ) throws -> Party? {
        let held = Set(viewer.audienceKeys)
        for party in parties
        where !held.isDisjoint(with: try audienceKeys(of: party, table: table, values: values, facts: facts)) {
            return party
        }
        return nil
    }

    /// The audience keys a party stands for on one row.
    private func audienceKeys(
        of party: Party, table: String, values: [String: FieldValue], facts: some PolicyFacts
    ) throws -> [AudienceKey] {
        switch party {
        case .everyone: return [.everyone]
        case .everyOrganisation: return OrganisationKind.allCases.map { .role($0) }
        case .role(let kind): return [.role(kind)]
        case .owner: return Self.text(values["owner_org"]).map { [.organisation($0)] } ?? []
        case .assignedInstitutions:
            let organisations: Set<String>
            switch try subject(of: values, facts: facts) {
            case .recommendation(let id)?: organisations = try facts.assignedOrganisations(recommendation: id)
            case .cluster(let id)?: organisations = try facts.assignedOrganisations(cluster: id)
            case nil: organisations = []
            }
            return organisations.sorted().map { .organisation($0) }
        case .addressedInstitution:
            var institution = Self.text(values["institution_id"])
            if table == "oversight_response", let requestID = Self.text(values["oversight_request_id"]) {
                // A draft request addresses no one yet: its owner alone reads it, so no one may answer it.
                let request = try facts.row("oversight_request", id: requestID)
                guard let request, Self.text(request["state"]) != "draft" else { return [] }
                institution = Self.text(request["institution_id"])
            }
            guard let institution, let org = Self.text(try facts.row("institution", id: institution)?["org_id"])
            else { return [] }
            return [.organisation(org)]
        case .requestingCommittee:
            guard let request = Self.text(values["oversight_request_id"]),
                let org = Self.text(try facts.row("oversight_request", id: request)?["owner_org"])
            else { return [] }
            return [.organisation(org)]
        }
    }

    /// What a piece of work is about, which decides the institutions assigned to it.
    enum WorkSubject: Equatable {
        /// One recommendation (and the clusters holding it).
        case recommendation(String)
        /// A whole cluster.
        case cluster(String)
    }

    /// The subject of a row: that of the action its `action_id` names, else its own
    /// `recommendation_id`, else its own `cluster_id` (the action decides, so a row cannot
    /// borrow another's rights).
    func subject(of values: [String: FieldValue], facts: some PolicyFacts) throws -> WorkSubject? {
        var values = values
        if let action = Self.text(values["action_id"]) {
            values = try facts.row("action", id: action) ?? [:]
        }
        if let recommendation = Self.text(values["recommendation_id"]) { return .recommendation(recommendation) }
        return Self.text(values["cluster_id"]).map { .cluster($0) }
    }

    /// The text of a text or boolean value (`"true"`, `"false"`), as policy rules compare it.
    public static func text(_ value: FieldValue?) -> String? {
        switch value {
        case .text(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    static func list(_ parties: [Party]) -> String {
        parties.isEmpty ? "nobody" : parties.map(\.description).joined(separator: ", ")
    }

    private static func scope(_ parties: [Party]) -> String {
        parties.contains(.assignedInstitutions) ? " of the recommendation" : ""
    }
}
