/// The type of a column, which decides the JSON values it accepts and how SQLite stores them.
public enum ColumnType: Sendable, Hashable {
    /// A UTF-8 string.
    case text
    /// A 64-bit signed integer.
    case integer
    /// A floating-point number (integers are accepted too).
    case real
    /// `true` or `false`, stored as 0 or 1.
    case boolean
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// One of a fixed list of strings.
    case enumeration([String])
    /// A row id (UUID) of a row in the named table.
    case reference(String)
    /// A list of strings merged as a whole (the last written list wins), stored as a JSON array.
    case list

    /// The SQLite declared type of the column.
    public var sqlType: String {
        switch self {
        case .text, .date, .enumeration, .reference, .list: "TEXT"
        case .integer, .boolean: "INTEGER"
        case .real: "REAL"
        }
    }
}

/// One column of a synchronised table.
public struct ColumnSchema: Sendable, Hashable {
    /// The snake_case column name.
    public var name: String
    /// The values it accepts.
    public var type: ColumnType
    /// Whether a row must have a non-null value here from its creation on.
    public var isRequired: Bool
    /// Whether only the server sets it (from the authenticated session); clients may not write it.
    public var isServerManaged: Bool
    /// The allowed range of an integer column.
    public var range: ClosedRange<Int64>?
    /// The value a new row gets when its creating operation does not set the column.
    public var defaultValue: FieldValue?
    /// The reference list a text column's value, or each item of a list column, must come from.
    public var vocabulary: Vocabulary?

    /// Creates a column.
    public init(
        _ name: String, _ type: ColumnType, required: Bool = false, serverManaged: Bool = false,
        range: ClosedRange<Int64>? = nil, defaultValue: FieldValue? = nil, vocabulary: Vocabulary? = nil
    ) {
        self.vocabulary = vocabulary
        self.name = name
        self.type = type
        self.isRequired = required
        self.isServerManaged = serverManaged
        self.range = range
        self.defaultValue = defaultValue
    }

    /// The name of the column holding this column's last-writer version.
    public var versionColumn: String { name + "__v" }
}

/// One synchronised table: a row id plus columns merged field by field.
public struct TableSchema: Sendable, Hashable {
    /// The snake_case table name.
    public var name: String
    /// The columns, server-managed ones included, in declaration order.
    public var columns: [ColumnSchema]
    /// The table's workflow (its `state` column), if it has one.
    public var workflow: Workflow?
    private var index: [String: Int]

    /// Creates a table; every table also gets the server-managed `owner_org` and `created_by`.
    ///
    /// A table with a workflow also gets its `state` column (last), starting in the initial state.
    public init(_ name: String, columns: [ColumnSchema], workflow: Workflow? = nil) {
        self.name = name
        self.workflow = workflow
        let columns =
            columns
            + (workflow.map {
                [ColumnSchema($0.column, .enumeration($0.states), required: true, defaultValue: .text($0.initial))]
            } ?? [])
        self.columns =
            [
                ColumnSchema("owner_org", .text, serverManaged: true),
                ColumnSchema("created_by", .text, serverManaged: true),
            ] + columns
        var index: [String: Int] = [:]
        for (position, column) in self.columns.enumerated() { index[column.name] = position }
        self.index = index
    }

    /// The column called `name`, if the table has one.
    public func column(_ name: String) -> ColumnSchema? {
        index[name].map { columns[$0] }
    }
}

/// The set of synchronised tables, declared once and used by client and server alike.
public struct Schema: Sendable {
    /// The tables in a stable order (the digest and migrations follow it).
    public var tables: [TableSchema]
    private var index: [String: Int]

    /// Creates a schema from its tables.
    public init(tables: [TableSchema]) {
        self.tables = tables
        var index: [String: Int] = [:]
        for (position, table) in tables.enumerated() { index[table.name] = position }
        self.index = index
    }

    /// The table called `name`, if the schema has one.
    public func table(_ name: String) -> TableSchema? {
        index[name].map { tables[$0] }
    }
}

extension TableSchema {
    /// Converts values to the form the column's type stores: whole numbers in real columns
    /// become reals (JSON writes `2.0` as `2`), 0 and 1 in boolean columns become booleans.
    public func normalised(_ fields: [String: FieldValue]) -> [String: FieldValue] {
        var result = fields
        for (name, value) in fields {
            switch (column(name)?.type, value) {
            case (.real, .integer(let number)): result[name] = .real(Double(number))
            case (.boolean, .integer(let number)) where number == 0 || number == 1: result[name] = .bool(number == 1)
            default: break
            }
        }
        return result
    }
}

/// A reference list that values of a column must come from.
public enum Vocabulary: Sendable, Hashable {
    /// ISO 3166-1 alpha-3 country codes.
    case country
    /// SDG goals ("5") and targets ("5.2").
    case sdg
    /// ISO 4217 currency codes (three capital letters).
    case currency
    /// Row ids: UUIDv7s in their lower-case text form (the recommendations a piece of work covers).
    case rowID
    /// An X25519 public key: 32 bytes in standard base64 (an organisation's key for sealed texts).
    case publicKey

    /// Why `value` is not in the list, or nil when it is.
    public func problem(with value: String) -> String? {
        switch self {
        case .country:
            value == value.uppercased() && Countries.name(forCode: value) != nil
                ? nil : "'\(value)' is not an ISO 3166 alpha-3 country code (upper case, such as FRA)"
        case .currency:
            value.utf8.count == 3 && value.utf8.allSatisfy({ (65...90).contains($0) })
                ? nil : "'\(value)' is not an ISO 4217 currency code (three capital letters, such as USD)"
        case .sdg:
            SustainableDevelopmentGoals.isGoalOrTarget(value) ? nil : "'\(value)' is not an SDG goal or target"
        case .rowID:
            OperationRules.isTimeOrderedID(value) ? nil : "'\(value)' is not a row id (a lower-case UUIDv7)"
        case .publicKey:
            OrganisationPublicKey(base64: value) != nil
                ? nil : "'\(value)' is not an X25519 public key (32 bytes in standard base64)"
        }
    }
}

/// The states of a row's workflow and the moves allowed between them.
public struct Workflow: Sendable, Hashable {
    /// The column holding the state.
    public var column = "state"
    /// Every state, in order.
    public var states: [String]
    /// The state every new row starts in.
    public var initial: String
    /// The states reachable from each state in one step.
    public var transitions: [String: [String]]

    /// draft -> submitted -> published, each step reversible one step back.
    public static let review = Workflow(
        states: ["draft", "submitted", "published"], initial: "draft",
        transitions: ["draft": ["submitted"], "submitted": ["draft", "published"], "published": ["submitted"]])

    /// draft <-> published (the NHRI's own assessments).
    public static let publication = Workflow(
        states: ["draft", "published"], initial: "draft",
        transitions: ["draft": ["published"], "published": ["draft"]])

    /// Whether a row may move from `from` to `to` in one step (staying put is always allowed).
    public func allows(from: String, to: String) -> Bool {
        from == to || transitions[from, default: []].contains(to)
    }
}

extension Schema {
    /// The schema both sides use now.
    ///
    /// When the schema grows, add `Schema.v2` beside `v1`, point `current` at it, and register
    /// new migrations (client and server) that add its tables and columns; `v1` itself never
    /// changes, since the shipped `v1` migrations are built from it.
    public static let current = v6

    /// The tables of schema version 1, the sync core's first slice of the domain (frozen).
    public static let v1 = Schema(tables: [
        TableSchema(
            "recommendation",
            columns: [
                ColumnSchema("text", .text, required: true),
                ColumnSchema("document_symbol", .text),
                ColumnSchema("paragraph", .text),
                ColumnSchema("state_under_review", .text),
                ColumnSchema("session", .integer),
                ColumnSchema(
                    "position", .enumeration(["supported", "supported_in_part", "noted", "pending"])),
            ]),
        TableSchema(
            "action",
            columns: [
                ColumnSchema("title", .text, required: true),
                ColumnSchema(
                    "status", .enumeration(["planned", "in_progress", "completed", "cancelled"])),
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("description", .text),
                ColumnSchema("due_date", .date),
                ColumnSchema("budget_amount", .real),
            ]),
        TableSchema(
            "progress_update",
            columns: [
                ColumnSchema("action_id", .reference("action")),
                ColumnSchema("date", .date),
                ColumnSchema("narrative", .text),
                ColumnSchema("value", .real),
            ]),
    ])
}

extension Schema {
    /// The full NMIRF domain: version 1's tables with more columns, and the other entities.
    ///
    /// Frozen once shipped, like `v1`; its migration is `v2.additions(since: .v1)`.
    public static let v2 = Schema(tables: [
        TableSchema(
            "recommendation",
            columns: v1.table("recommendation")!.userColumns.map { column in
                var column = column
                if column.name == "state_under_review" { column.vocabulary = .country }
                return column
            } + [
                ColumnSchema(
                    "kind", .enumeration(["recommendation", "concern"]), defaultValue: .text("recommendation")),
                ColumnSchema("mechanism_id", .reference("mechanism")),
                ColumnSchema("cycle", .integer, range: 1...20),
                ColumnSchema("date", .date),
                ColumnSchema("language", .text),
                ColumnSchema("recommending_states", .list, vocabulary: .country),
                ColumnSchema("themes", .list),
                ColumnSchema("affected_persons", .list),
                ColumnSchema("sdg_targets", .list, vocabulary: .sdg),
                ColumnSchema("position_source", .text),
                ColumnSchema("action_category", .integer, range: 1...5),
                ColumnSchema("follow_up_due", .date),
                ColumnSchema("uhri_id", .text),
                ColumnSchema("upr_info_key", .text),
                ColumnSchema("document_id", .text),
            ]),
        TableSchema(
            "action",
            columns: v1.table("action")!.userColumns + [
                ColumnSchema("institution_id", .reference("institution")),
                ColumnSchema("expected_outcome", .text),
                ColumnSchema("start_date", .date),
                ColumnSchema("budget_currency", .text, vocabulary: .currency),
                ColumnSchema("budget_line", .text),
            ],
            workflow: .review),
        TableSchema(
            "progress_update",
            columns: v1.table("progress_update")!.userColumns + [
                ColumnSchema("indicator_id", .reference("indicator")),
                ColumnSchema("status", .enumeration(["on_track", "delayed", "at_risk", "completed"])),
            ],
            workflow: .review),
        TableSchema(
            "mechanism",
            columns: [
                ColumnSchema("code", .text, required: true),
                ColumnSchema("name", .text),
                ColumnSchema("kind", .enumeration(["upr", "treaty_body", "special_procedure", "regional"])),
            ]),
        TableSchema(
            "cluster",
            columns: [
                ColumnSchema("title", .text, required: true),
                ColumnSchema("kind", .enumeration(["theme", "custom"]), defaultValue: .text("custom")),
                ColumnSchema("description", .text),
            ]),
        TableSchema(
            "cluster_member",
            columns: [
                ColumnSchema("cluster_id", .reference("cluster"), required: true),
                ColumnSchema("recommendation_id", .reference("recommendation"), required: true),
            ]),
        TableSchema(
            "institution",
            columns: [
                ColumnSchema("name", .text, required: true),
                ColumnSchema(
                    "kind",
                    .enumeration(["secretariat", "ministry", "agency", "parliament", "nhri", "ngo", "judiciary"]),
                    required: true),
                ColumnSchema("parent_id", .reference("institution")),
                ColumnSchema("org_id", .text),
            ]),
        TableSchema(
            "assignment",
            columns: [
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("cluster_id", .reference("cluster")),
                ColumnSchema("institution_id", .reference("institution"), required: true),
                ColumnSchema("role", .enumeration(["lead", "contributing"]), required: true),
                ColumnSchema("focal_point", .text),
            ]),
        TableSchema(
            "indicator",
            columns: [
                ColumnSchema("title", .text, required: true),
                ColumnSchema("action_id", .reference("action")),
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("kind", .enumeration(["structure", "process", "outcome"])),
                ColumnSchema("unit", .text),
                ColumnSchema("baseline", .real),
                ColumnSchema("target", .real),
                ColumnSchema("frequency", .enumeration(["monthly", "quarterly", "half_yearly", "yearly"])),
            ]),
        TableSchema(
            "assessment",
            columns: [
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("cluster_id", .reference("cluster")),
                ColumnSchema(
                    "rating", .enumeration(["no_progress", "limited", "partial", "substantial", "implemented"]),
                    required: true),
                ColumnSchema("rationale", .text),
                ColumnSchema("sources", .text),
            ],
            workflow: .publication),
        TableSchema(
            "submission",
            columns: [
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema("text", .text, required: true),
                ColumnSchema("confidential", .boolean, required: true, defaultValue: .bool(false)),
            ]),
        TableSchema(
            "oversight_request",
            columns: [
                ColumnSchema("institution_id", .reference("institution"), required: true),
                ColumnSchema("recommendation_id", .reference("recommendation")),
                ColumnSchema(
                    "kind", .enumeration(["question", "hearing", "information_request"]),
                    defaultValue: .text("question")),
                ColumnSchema("text", .text, required: true),
                ColumnSchema("due_date", .date),
            ],
            workflow: .review),
        TableSchema(
            "oversight_response",
            columns: [
                ColumnSchema("oversight_request_id", .reference("oversight_request"), required: true),
                ColumnSchema("text", .text, required: true),
            ],
            workflow: .review),
        TableSchema(
            "attachment",
            columns: [
                ColumnSchema("content_hash", .text, required: true),
                ColumnSchema("size", .integer, range: 0...Int64.max),
                ColumnSchema("media_type", .text),
                ColumnSchema("file_name", .text),
                ColumnSchema("parent_table", .text),
                ColumnSchema("parent_id", .text),
            ]),
    ])
}

extension TableSchema {
    /// The columns a client writes (all but the server-managed ones and the workflow's state).
    public var userColumns: [ColumnSchema] {
        columns.filter { !$0.isServerManaged && $0.name != workflow?.column }
    }
}

extension Schema {
    /// Version 2's tables, with the UN country team among the kinds of institution.
    ///
    /// Frozen once shipped. It adds no table or column, so it needs no migration: only what a
    /// value may be changed (`institution.kind` takes `un_country_team`).
    public static let v3 = Schema(
        tables: v2.tables.map { table in
            guard table.name == "institution" else { return table }
            var changed = table
            changed.columns = table.columns.map { column in
                guard column.name == "kind", case .enumeration(let values) = column.type else { return column }
                var widened = column
                widened.type = .enumeration(values + ["un_country_team"])
                return widened
            }
            return changed
        })
}

extension Schema {
    /// Version 3's tables with what the stakeholders missed on a first cycle: bills and their
    /// progress, hearings, money spent, the government's replies to assessments, work covering
    /// a cluster or several recommendations, and submissions published to the public.
    ///
    /// Frozen once shipped; its migration is `v4.additions(since: .v3)`.
    public static let v4 = Schema(
        tables: v3.tables.map { table in
            var columns = table.userColumns
            var workflow = table.workflow
            switch table.name {
            case "recommendation":
                columns.append(ColumnSchema("needs_legislation", .boolean))
            case "action":
                columns += [
                    ColumnSchema("spent_amount", .real),
                    ColumnSchema("cluster_id", .reference("cluster")),
                    ColumnSchema("covers", .list, vocabulary: .rowID),
                ]
            case "submission":
                columns += [
                    ColumnSchema("cluster_id", .reference("cluster")),
                    ColumnSchema("covers", .list, vocabulary: .rowID),
                ]
                workflow = .publication
            case "oversight_request":
                columns += [ColumnSchema("hearing_date", .date), ColumnSchema("hearing_place", .text)]
            default:
                break
            }
            return TableSchema(table.name, columns: columns, workflow: workflow)
        } + [
            TableSchema(
                "bill",
                columns: [
                    ColumnSchema("title", .text, required: true),
                    ColumnSchema("reference", .text),
                    ColumnSchema(
                        "stage",
                        .enumeration([
                            "drafting", "tabled", "in_committee", "passed", "enacted", "withdrawn", "rejected",
                        ]),
                        defaultValue: .text("drafting")),
                    ColumnSchema("stage_date", .date),
                    ColumnSchema("recommendation_id", .reference("recommendation")),
                    ColumnSchema("cluster_id", .reference("cluster")),
                    ColumnSchema("covers", .list, vocabulary: .rowID),
                    ColumnSchema("notes", .text),
                ]),
            TableSchema(
                "assessment_reply",
                columns: [
                    ColumnSchema("assessment_id", .reference("assessment"), required: true),
                    ColumnSchema("text", .text, required: true),
                ],
                workflow: .review),
        ])
}

extension Schema {
    /// Version 4's tables with revisions of published government work: an action, a progress
    /// update or a government reply naming `revision_of` proposes new values for the published
    /// row it names, which the public keeps reading until the secretariat publishes the revision.
    ///
    /// Frozen once shipped; its migration is `v5.additions(since: .v4)`.
    public static let v5 = Schema(
        tables: v4.tables.map { table in
            guard Schema.revisedTables.contains(table.name) else { return table }
            return TableSchema(
                table.name, columns: table.userColumns + [ColumnSchema("revision_of", .reference(table.name))],
                workflow: table.workflow)
        })

    /// The tables whose published rows change through revisions: the government's guarded work.
    public static let revisedTables: Set<String> = ["action", "progress_update", "assessment_reply"]
}

extension Schema {
    /// Version 5's tables and `organisation_key`: each organisation's public keys for sealed texts
    /// (confidential submissions are sealed to the NHRI's key and their author's, §19).
    ///
    /// Frozen once shipped; its migration is `v6.additions(since: .v5)`.
    public static let v6 = Schema(
        tables: v5.tables + [
            TableSchema(
                "organisation_key",
                columns: [
                    ColumnSchema("public_key", .text, required: true, vocabulary: .publicKey),
                    ColumnSchema(
                        "algorithm", .enumeration([SealedText.suiteName]), required: true,
                        defaultValue: .text(SealedText.suiteName)),
                ])
        ])
}
