/// Whom a line of the access policy names: everyone, a role, or an organisation related to the row.
public enum Party: Sendable, Hashable, CustomStringConvertible {
    /// Everyone: every signed-in organisation, and the public once there is a public view.
    case everyone
    /// Every organisation with an account, of whatever kind (not the public).
    case everyOrganisation
    /// Every organisation of one kind.
    case role(OrganisationKind)
    /// The organisation that created the row (`owner_org`, set by the server, immutable).
    case owner
    /// The organisations whose institution is assigned to the row's subject: its recommendation,
    /// directly or through a cluster holding it, or else the cluster the work covers.
    ///
    /// The subject is that of the action named by the row's `action_id`, else its own
    /// `recommendation_id`, else its own `cluster_id` (work covering a whole cluster is the
    /// work of the institutions assigned to that cluster).
    case assignedInstitutions
    /// The organisation of the institution an oversight request addresses (its `institution_id`,
    /// or that of the request named by `oversight_request_id`, once that request is no draft).
    case addressedInstitution
    /// The organisation that owns the oversight request a response answers.
    case requestingCommittee

    /// The party in words, as the policy table and `explain` print it.
    public var description: String {
        switch self {
        case .everyone: "everyone"
        case .everyOrganisation: "every organisation"
        case .role(let kind): kind.rawValue
        case .owner: "owner"
        case .assignedInstitutions: "assigned institutions"
        case .addressedInstitution: "addressed institution"
        case .requestingCommittee: "requesting committee"
        }
    }
}

/// Who reads a table's rows.
public indirect enum ReadRule: Sendable {
    /// The same parties whatever the row holds.
    case always([Party])
    /// The readers depend on the value of one column (a workflow state, a flag); the key is the
    /// value's text (`"draft"`, `"true"`), and a row without a value counts as `initial`.
    ///
    /// Each value's readers are a rule in turn, so a second column can refine them (a
    /// non-confidential submission is public once published).
    case byValue(column: String, initial: String, [(value: String, readers: ReadRule)])
    /// As the row named by the `parent_table` and `parent_id` columns (owner only without one).
    case asParent
}

/// Who writes a table's rows.
public enum WriteRule: Sendable, Hashable {
    /// `creators` may create rows (judged on the new row); `writers` may change them (judged on
    /// the row before and after the change); a delete needs one of `writers` and one of
    /// `deleters` (judged on the row before); any change of a row in one of `guardedStates`,
    /// and any move into or out of one, needs one of `guardedBy` as well.
    case parties(
        creators: [Party], writers: [Party], deleters: [Party], guardedStates: [String], guardedBy: [Party])
    /// As the row named by the `parent_table` and `parent_id` columns (owner only without one).
    case asParent
}

/// One line of the policy: a group of tables with the same readers and writers.
public struct PolicyLine: Sendable {
    /// A short stable name, printed by `explain` ("government-work").
    public var name: String
    /// The tables it governs.
    public var tables: [String]
    /// Who reads.
    public var reads: ReadRule
    /// Who writes.
    public var writes: WriteRule
}

/// The role-scoped access policy: who sees and writes what, declared once as data.
///
/// It is the table "Who sees and writes what" of the domain notes. The server's read filter
/// (row audiences) and its write authoriser both derive from it, `protocol/POLICY.md` is
/// rendered from it, and the matrix test is generated from it.
public struct AccessPolicy: Sendable {
    /// The lines, in the order the policy table lists them.
    public var lines: [PolicyLine]
    /// The schema whose tables the lines govern (their workflows decide guarded moves).
    public var schema: Schema
    private var index: [String: Int]

    /// Creates a policy over `schema`; every table must be named by exactly one line.
    public init(lines: [PolicyLine], schema: Schema) {
        self.lines = lines
        self.schema = schema
        var index: [String: Int] = [:]
        for (position, line) in lines.enumerated() {
            for table in line.tables { index[table] = position }
        }
        self.index = index
    }

    /// The line governing `table`, if any (a table without a line is neither read nor written).
    public func line(for table: String) -> PolicyLine? {
        index[table].map { lines[$0] }
    }

    private static let government: [Party] = [.role(.secretariat), .role(.ministry), .role(.judiciary)]
    /// Those who oversee government work from outside it: parliament, the NHRI and the UN
    /// country team (which reads what parliament reads).
    private static let overseers: [Party] = [.role(.parliament), .role(.unCountryTeam), .role(.nhri)]

    /// The policy of the domain notes, over the current schema.
    public static let standard = AccessPolicy(
        lines: [
            PolicyLine(
                name: "public-records",
                tables: ["mechanism", "recommendation", "cluster", "cluster_member", "institution", "assignment"],
                reads: .always([.everyone]),
                writes: .parties(
                    creators: [.role(.secretariat)], writers: [.role(.secretariat)], deleters: [.role(.secretariat)],
                    guardedStates: [], guardedBy: [])),
            PolicyLine(
                name: "government-work",
                tables: ["action", "progress_update"],
                reads: .byValue(
                    column: "state", initial: "draft",
                    [
                        ("draft", .always([.owner, .assignedInstitutions, .role(.secretariat)])),
                        ("submitted", .always([.owner, .assignedInstitutions] + government + overseers)),
                        ("published", .always([.everyone])),
                    ]),
                writes: .parties(
                    creators: [.role(.secretariat), .assignedInstitutions],
                    writers: [.role(.secretariat), .assignedInstitutions],
                    // A co-assigned ministry changes another's work but never deletes it.
                    deleters: [.owner, .role(.secretariat)],
                    guardedStates: ["published"], guardedBy: [.role(.secretariat)])),
            PolicyLine(
                name: "indicators",
                tables: ["indicator"],
                reads: .always([.owner, .assignedInstitutions] + government + overseers),
                writes: .parties(
                    creators: [.role(.secretariat), .assignedInstitutions],
                    writers: [.role(.secretariat), .assignedInstitutions],
                    deleters: [.owner, .role(.secretariat)], guardedStates: [], guardedBy: [])),
            PolicyLine(
                name: "independent-assessment",
                tables: ["assessment"],
                reads: .byValue(
                    column: "state", initial: "draft",
                    [("draft", .always([.owner])), ("published", .always([.everyone]))]),
                writes: .parties(
                    creators: [.role(.nhri), .role(.ngo)], writers: [.owner], deleters: [.owner], guardedStates: [],
                    guardedBy: [])),
            PolicyLine(
                name: "civil-society-submission",
                tables: ["submission"],
                reads: .byValue(
                    column: "confidential", initial: "false",
                    [
                        (
                            "false",
                            .byValue(
                                column: "state", initial: "draft",
                                [
                                    ("draft", .always([.owner, .everyOrganisation])),
                                    ("published", .always([.everyone])),
                                ])
                        ),
                        ("true", .always([.owner, .role(.nhri)])),
                    ]),
                writes: .parties(
                    creators: [.role(.ngo), .role(.unCountryTeam)], writers: [.owner], deleters: [.owner],
                    guardedStates: [], guardedBy: [])
            ),
            PolicyLine(
                name: "oversight-request",
                tables: ["oversight_request"],
                reads: .byValue(
                    column: "state", initial: "draft",
                    [
                        ("draft", .always([.owner])),
                        ("submitted", .always([.owner, .addressedInstitution, .role(.secretariat), .role(.nhri)])),
                        ("published", .always([.everyone])),
                    ]),
                writes: .parties(
                    creators: [.role(.parliament)], writers: [.owner], deleters: [.owner], guardedStates: [],
                    guardedBy: [])),
            PolicyLine(
                name: "oversight-response",
                tables: ["oversight_response"],
                reads: .byValue(
                    column: "state", initial: "draft",
                    [
                        ("draft", .always([.owner])),
                        ("submitted", .always([.owner, .requestingCommittee, .role(.secretariat), .role(.nhri)])),
                        ("published", .always([.everyone])),
                    ]),
                writes: .parties(
                    creators: [.addressedInstitution], writers: [.owner], deleters: [.owner], guardedStates: [],
                    guardedBy: [])),
            PolicyLine(
                name: "legislation",
                tables: ["bill"],
                reads: .always([.everyone]),
                writes: .parties(
                    creators: [.role(.parliament), .role(.secretariat)],
                    writers: [.role(.parliament), .role(.secretariat)],
                    deleters: [.role(.parliament), .role(.secretariat)], guardedStates: [], guardedBy: [])),
            PolicyLine(
                name: "government-reply",
                tables: ["assessment_reply"],
                reads: .byValue(
                    column: "state", initial: "draft",
                    [
                        ("draft", .always([.owner, .role(.secretariat)])),
                        ("submitted", .always([.owner] + government + overseers)),
                        ("published", .always([.everyone])),
                    ]),
                writes: .parties(
                    creators: government, writers: [.owner, .role(.secretariat)],
                    deleters: [.owner, .role(.secretariat)], guardedStates: ["published"],
                    guardedBy: [.role(.secretariat)])),
            PolicyLine(name: "attachment", tables: ["attachment"], reads: .asParent, writes: .asParent),
            PolicyLine(
                name: "organisation-key",
                tables: ["organisation_key"],
                reads: .always([.everyOrganisation]),
                writes: .parties(
                    creators: [.role(.nhri), .role(.ngo), .role(.unCountryTeam)], writers: [.owner],
                    deleters: [.owner], guardedStates: [], guardedBy: [])),
        ], schema: .current)
}
