import ArgumentParser
import Foundation
import Shared

/// Output shared by the domain commands: readable tables on a terminal, JSON for scripts.
enum Output {
    static func json(_ value: some Encodable) throws {
        print(String(decoding: try WireCoding.encoder().encode(value), as: UTF8.self))
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { index in
            max(header[index].count, rows.map { $0[index].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(([line(header)] + rows.map(line)).joined(separator: "\n"))
    }

    static func clip(_ text: String, _ width: Int = 60) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > width ? String(flat.prefix(width - 1)) + "…" : flat
    }
}

/// Checks a `YYYY-MM-DD` option value.
func dateOption(_ value: String?, _ name: String) throws -> FieldValue? {
    guard let value else { return nil }
    guard OperationRules.isCalendarDate(value) else {
        throw ValidationError("\(name) must be a date written YYYY-MM-DD")
    }
    return .text(value)
}

extension FollowupCommand {
    struct Recs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recs", abstract: "Find and read recommendations.", subcommands: [ListRecs.self, ShowRec.self])
    }

    struct ListRecs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List recommendations with filters.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "Mechanism code, e.g. UPR or CEDAW.") var mechanism: String?
        @Option(help: "UPR session number.") var session: Int?
        @Option(help: "UPR cycle (1-4).") var cycle: Int?
        @Option(help: "A theme, e.g. \"Women's rights\".") var theme: String?
        @Option(help: "An SDG goal or target, e.g. 5 or 5.2.") var sdg: String?
        @Option(help: "supported, supported_in_part, noted or pending.") var position: String?
        @Option(help: "Assigned to this institution (id or organisation id).") var institution: String?
        @Option(help: "no_action, planned, in_progress or completed.") var status: String?
        @Option(help: "Full-text search in the recommendation text.") var search: String?
        @Option(help: "At most this many.") var limit = 10_000
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                var filter = RecommendationFilter()
                filter.mechanism = mechanism?.uppercased()
                filter.session = session
                filter.cycle = cycle
                filter.theme = theme
                filter.sdg = sdg
                filter.position = position
                filter.institution = institution
                if let status {
                    guard let parsed = ImplementationStatus(rawValue: status) else {
                        throw ValidationError("--status must be no_action, planned, in_progress or completed")
                    }
                    filter.status = parsed
                }
                filter.search = search
                filter.limit = limit
                let found = try options.open().recommendations(filter)
                if json { return try Output.json(found) }
                Output.table(
                    ["id", "session", "state", "position", "status", "text"],
                    found.map {
                        [
                            $0.id, $0.session.map(String.init) ?? "", $0.stateUnderReview ?? "", $0.position ?? "",
                            $0.status.rawValue, Output.clip($0.text),
                        ]
                    })
                print("(\(found.count) \(found.count == 1 ? "recommendation" : "recommendations"))")
            }
        }
    }

    struct ShowRec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a recommendation with its assignments, actions, progress and assessments.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The recommendation id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        struct Detail: Encodable {
            var recommendation: [String: FieldValue]
            var assignments: [[String: FieldValue]]
            var actions: [[String: FieldValue]]
            var progress: [[String: FieldValue]]
            var assessments: [[String: FieldValue]]
        }

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                guard var recommendation = try replica.row("recommendation", id: id) else {
                    throw ReplicaError(
                        .rowNotFound, "there is no recommendation \(id) on this replica")
                }
                recommendation["id"] = .text(id)
                func withID(_ rows: [(id: String, values: [String: FieldValue])]) -> [[String: FieldValue]] {
                    rows.map {
                        var values = $0.values
                        values["id"] = .text($0.id)
                        return values
                    }
                }
                let actions = try replica.rows("action", where: "recommendation_id", is: id)
                let progress = try actions.flatMap {
                    try replica.rows("progress_update", where: "action_id", is: $0.id)
                }
                let assessments = try replica.rows("assessment", where: "recommendation_id", is: id)
                    .filter { $0.values["state"] == .text("published") }
                let detail = Detail(
                    recommendation: recommendation,
                    assignments: withID(try replica.rows("assignment", where: "recommendation_id", is: id)),
                    actions: withID(actions), progress: withID(progress), assessments: withID(assessments))
                if json { return try Output.json(detail) }
                let table = try replica.table("recommendation")
                print(RowRendering.record(id: id, values: recommendation.filter { $0.key != "id" }, table: table))
                func names(_ id: FieldValue?) -> String {
                    guard case .text(let id) = id, let row = try? replica.row("institution", id: id) else { return "" }
                    return row["name"]?.description ?? id
                }
                print("\nassignments")
                for assignment in detail.assignments {
                    print("  \(assignment["role"]?.description ?? "")  \(names(assignment["institution_id"]))")
                }
                print("\nactions")
                for action in detail.actions {
                    print(
                        "  \(action["id"]?.description ?? "")  [\(action["status"]?.description ?? "")/\(action["state"]?.description ?? "")]  \(action["title"]?.description ?? "")  due \(action["due_date"]?.description ?? "-")"
                    )
                }
                print("\nprogress")
                for update in detail.progress {
                    print(
                        "  \(update["date"]?.description ?? "")  [\(update["state"]?.description ?? "")]  \(Output.clip(update["narrative"]?.description ?? ""))"
                    )
                }
                print("\npublished assessments")
                for assessment in detail.assessments {
                    print(
                        "  \(assessment["owner_org"]?.description ?? "")  \(assessment["rating"]?.description ?? "")  \(Output.clip(assessment["rationale"]?.description ?? ""))"
                    )
                }
            }
        }
    }

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Implementation status by mechanism, cluster, institution and SDG.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "mechanism, cluster, institution or sdg (default: all four).") var by: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let groupings = by.map { [$0] } ?? ["mechanism", "cluster", "institution", "sdg"]
                var all: [String: [StatusCount]] = [:]
                for grouping in groupings { all[grouping] = try replica.summary(by: grouping) }
                if json { return try Output.json(all) }
                let statuses = ImplementationStatus.allCases.map(\.rawValue)
                for grouping in groupings {
                    print("\nby \(grouping)")
                    Output.table(
                        [grouping, "total"] + statuses,
                        all[grouping, default: []].map { count in
                            [count.group, String(count.total)] + statuses.map { String(count.counts[$0] ?? 0) }
                        })
                }
            }
        }
    }

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Actions, recommendations and oversight requests past their due date.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "Today's date (default: the system date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let day = today ?? String(Date().formatted(.iso8601).prefix(10))
                guard OperationRules.isCalendarDate(day) else { throw ValidationError("--today must be YYYY-MM-DD") }
                let items = try options.open().overdue(today: day)
                if json { return try Output.json(items) }
                Output.table(
                    ["due", "table", "id", "what"], items.map { [$0.due, $0.table, $0.id, Output.clip($0.title)] })
                print("(\(items.count) overdue on \(day))")
            }
        }
    }

    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Group recommendations into clusters (secretariat).",
            subcommands: [CreateCluster.self, AddToCluster.self, RemoveFromCluster.self])
    }

    struct CreateCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a cluster; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The title.") var title: String
        @Option(help: "theme or custom.") var kind = "custom"
        @Option(help: "A description.") var description: String?

        func run() async throws {
            try await reportingErrors {
                var fields: [String: FieldValue] = ["title": .text(title), "kind": .text(kind)]
                if let description { fields["description"] = .text(description) }
                print(try options.open().put("cluster", fields: fields))
            }
        }
    }

    struct AddToCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add recommendations to a cluster.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The cluster id.") var cluster: String
        @Argument(help: "Recommendation ids.") var recommendations: [String]

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.requireRow("cluster", cluster)
                let members = try replica.rows("cluster_member", where: "cluster_id", is: cluster)
                var edits: [RowEdit] = []
                for recommendation in recommendations {
                    try replica.requireRow("recommendation", recommendation)
                    if members.contains(where: { $0.values["recommendation_id"] == .text(recommendation) }) { continue }
                    edits.append(
                        RowEdit(
                            table: "cluster_member",
                            fields: ["cluster_id": .text(cluster), "recommendation_id": .text(recommendation)]))
                }
                _ = try replica.put(edits)
                print("added \(edits.count) recommendations to cluster \(cluster)")
            }
        }
    }

    struct RemoveFromCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove recommendations from a cluster.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The cluster id.") var cluster: String
        @Argument(help: "Recommendation ids.") var recommendations: [String]

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                let members = try replica.rows("cluster_member", where: "cluster_id", is: cluster)
                var removed = 0
                for member in members
                where recommendations.contains(member.values["recommendation_id"]?.description ?? "") {
                    try replica.delete("cluster_member", id: member.id)
                    removed += 1
                }
                print("removed \(removed) recommendations from cluster \(cluster)")
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a recommendation or a cluster to an institution (secretariat); prints the assignment id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "A recommendation or cluster id.") var target: String
        @Option(help: "The institution (row id or organisation id).") var to: String
        @Flag(help: "As the lead institution.") var lead = false
        @Flag(help: "As a contributing institution.") var contributing = false
        @Option(help: "The focal point's name.") var focalPoint: String?

        func run() async throws {
            guard lead != contributing else { throw ValidationError("give exactly one of --lead or --contributing") }
            try await reportingErrors {
                let replica = try options.open()
                guard let table = try replica.tableOf(target, among: ["recommendation", "cluster"]) else {
                    throw ReplicaError(
                        .rowNotFound, "no recommendation or cluster \(target) on this replica")
                }
                var fields: [String: FieldValue] = [
                    "\(table)_id": .text(target), "institution_id": .text(try replica.institutionID(to)),
                    "role": .text(lead ? "lead" : "contributing"),
                ]
                if let focalPoint { fields["focal_point"] = .text(focalPoint) }
                print(try replica.put("assignment", fields: fields))
            }
        }
    }

    struct Actions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan actions on recommendations (ministries).", subcommands: [AddAction.self])
    }

    struct AddAction: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Plan an action; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The recommendation id.") var rec: String
        @Option(help: "The title.") var title: String
        @Option(help: "A description.") var description: String?
        @Option(help: "The expected outcome.") var expectedOutcome: String?
        @Option(help: "The institution carrying it out (default: your organisation).") var institution: String?
        @Option(help: "Start date, YYYY-MM-DD.") var start: String?
        @Option(help: "Due date, YYYY-MM-DD.") var due: String?
        @Option(help: "Budget amount.") var budget: Double?
        @Option(help: "Budget currency (ISO 4217, e.g. USD).") var currency: String?
        @Option(help: "Budget line.") var budgetLine: String?
        @Option(help: "planned, in_progress, completed or cancelled.") var status = "planned"
        @Option(help: "Also create an indicator with this title.") var indicator: String?
        @Option(help: "The indicator's kind: structure, process or outcome.") var indicatorKind: String?
        @Option(help: "The indicator's unit.") var unit: String?
        @Option(help: "The indicator's baseline.") var baseline: Double?
        @Option(help: "The indicator's target.") var target: Double?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.requireRow("recommendation", rec)
                let actionID = UUIDv7.make()
                var fields: [String: FieldValue] = [
                    "recommendation_id": .text(rec), "title": .text(title), "status": .text(status),
                    "institution_id": .text(try replica.institutionID(institution ?? replica.settings().org)),
                ]
                fields["description"] = description.map(FieldValue.text)
                fields["expected_outcome"] = expectedOutcome.map(FieldValue.text)
                fields["start_date"] = try dateOption(start, "--start")
                fields["due_date"] = try dateOption(due, "--due")
                fields["budget_amount"] = budget.map(FieldValue.real)
                if let currency {
                    guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                        throw ValidationError("--currency must be a three-letter ISO 4217 code such as USD")
                    }
                    fields["budget_currency"] = .text(currency)
                }
                fields["budget_line"] = budgetLine.map(FieldValue.text)
                var edits = [RowEdit(table: "action", id: actionID, fields: fields.compactMapValues { $0 })]
                if let indicator {
                    var indicatorFields: [String: FieldValue] = [
                        "title": .text(indicator), "action_id": .text(actionID), "recommendation_id": .text(rec),
                    ]
                    indicatorFields["kind"] = indicatorKind.map(FieldValue.text)
                    indicatorFields["unit"] = unit.map(FieldValue.text)
                    indicatorFields["baseline"] = baseline.map(FieldValue.real)
                    indicatorFields["target"] = target.map(FieldValue.real)
                    edits.append(RowEdit(table: "indicator", fields: indicatorFields))
                }
                _ = try replica.put(edits)
                print(actionID)
            }
        }
    }

    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report progress on actions (ministries).", subcommands: [AddProgress.self])
    }

    struct AddProgress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Report progress; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The action id.") var action: String
        @Option(help: "What was done.") var narrative: String
        @Option(help: "Date, YYYY-MM-DD (default: today).") var date: String?
        @Option(help: "A measured value.") var value: Double?
        @Option(help: "on_track, delayed, at_risk or completed.") var status: String?
        @Option(help: "The indicator the value measures.") var indicator: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.requireRow("action", action)
                var fields: [String: FieldValue] = [
                    "action_id": .text(action), "narrative": .text(narrative),
                    "date": try dateOption(date, "--date") ?? .text(String(Date().formatted(.iso8601).prefix(10))),
                ]
                fields["value"] = value.map(FieldValue.real)
                fields["status"] = status.map(FieldValue.text)
                if let indicator {
                    try replica.requireRow("indicator", indicator)
                    fields["indicator_id"] = .text(indicator)
                }
                print(try replica.put("progress_update", fields: fields))
            }
        }
    }

    /// Moves a row of a workflow table to `state`.
    static func move(_ id: String, to state: String, options: ReplicaOptions) throws {
        let replica = try options.open()
        let tables = replica.schema.tables.filter { $0.workflow?.states.contains(state) == true }.map(\.name)
        guard let table = try replica.tableOf(id, among: tables) else {
            throw ReplicaError(.rowNotFound, "no row \(id) that can be \(state) on this replica")
        }
        try replica.put(table, id: id, fields: ["state": .text(state)])
        print("\(table) \(id) is now \(state)")
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a draft action, progress update, oversight request or response for review.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors { try move(id, to: "submitted", options: options) }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an assessment, or a submitted action, progress update or oversight exchange.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The row id.") var id: String

        func run() async throws {
            try await reportingErrors { try move(id, to: "published", options: options) }
        }
    }

    struct Assess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an independent assessment of a recommendation or cluster (NHRI); prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The recommendation or cluster id.") var target: String
        @Option(help: "no_progress, limited, partial, substantial or implemented.") var rating: String
        @Option(help: "Why.") var rationale: String
        @Option(help: "Sources.") var sources: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                guard let table = try replica.tableOf(target, among: ["recommendation", "cluster"]) else {
                    throw ReplicaError(
                        .rowNotFound, "no recommendation or cluster \(target) on this replica")
                }
                var fields: [String: FieldValue] = [
                    "\(table)_id": .text(target), "rating": .text(rating), "rationale": .text(rationale),
                ]
                fields["sources"] = sources.map(FieldValue.text)
                print(try replica.put("assessment", fields: fields))
            }
        }
    }

    struct Submissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit information on recommendations (NGOs).", subcommands: [AddSubmission.self])
    }

    struct AddSubmission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a submission; prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The recommendation id.") var rec: String
        @Option(help: "The information.") var text: String
        @Flag(help: "Confidential: for the NHRI only (names victims or defenders).") var confidential = false

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.requireRow("recommendation", rec)
                print(
                    try replica.put(
                        "submission",
                        fields: [
                            "recommendation_id": .text(rec), "text": .text(text), "confidential": .bool(confidential),
                        ]))
            }
        }
    }

    struct Oversight: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parliamentary oversight: requests and answers.", subcommands: [Ask.self, Answer.self])
    }

    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Ask an institution a question, call a hearing or request information (parliament); prints its id.")

        @OptionGroup var options: ReplicaOptions
        @Option(help: "The institution asked (row id or organisation id).") var to: String
        @Option(help: "The recommendation concerned.") var rec: String?
        @Option(help: "The question or request.") var text: String
        @Option(help: "question, hearing or information_request.") var kind = "question"
        @Option(help: "Due date, YYYY-MM-DD.") var due: String?

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                var fields: [String: FieldValue] = [
                    "institution_id": .text(try replica.institutionID(to)), "text": .text(text), "kind": .text(kind),
                ]
                if let rec {
                    try replica.requireRow("recommendation", rec)
                    fields["recommendation_id"] = .text(rec)
                }
                fields["due_date"] = try dateOption(due, "--due")
                print(try replica.put("oversight_request", fields: fields))
            }
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer an oversight request (the institution asked); prints the answer's id.")

        @OptionGroup var options: ReplicaOptions
        @Argument(help: "The oversight request id.") var request: String
        @Option(help: "The answer.") var text: String

        func run() async throws {
            try await reportingErrors {
                let replica = try options.open()
                try replica.requireRow("oversight_request", request)
                print(
                    try replica.put(
                        "oversight_response", fields: ["oversight_request_id": .text(request), "text": .text(text)]))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import recommendations (secretariat); running an import again changes nothing.",
            subcommands: [ImportUPRInfo.self, ImportUHRI.self])
    }

    struct ImportUPRInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upr-info", abstract: "Import a UPR Info CSV export.")

        @OptionGroup var options: ReplicaOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws {
            try await reportingErrors {
                try runImport(file, options: options, keyColumn: "upr_info_key", parse: UPRInfoFormat.parse)
            }
        }
    }

    struct ImportUHRI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uhri", abstract: "Import a Universal Human Rights Index JSON export.")

        @OptionGroup var options: ReplicaOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws {
            try await reportingErrors {
                try runImport(file, options: options, keyColumn: "uhri_id", parse: UHRIFormat.parse)
            }
        }
    }
}

/// The arguments every import takes.
struct ImportFileOptions: ParsableArguments {
    @Argument(help: "The file to import.") var path: String
    @Flag(help: "Import the valid records even if some are invalid.") var skipInvalid = false
    @Flag(help: "Print the report as JSON.") var json = false
}

/// Reads, checks and imports a file; all or nothing unless `skipInvalid`.
func runImport(
    _ arguments: ImportFileOptions, options: ReplicaOptions, keyColumn: String,
    parse: (Data) throws -> (records: [ImportedRecommendation], invalid: [InvalidImportRow])
) throws {
    let (file, skipInvalid, json) = (arguments.path, arguments.skipInvalid, arguments.json)
    guard let data = FileManager.default.contents(atPath: file) else {
        throw ReplicaError(.fileNotFound, "cannot read \(file)")
    }
    let replica = try options.open()
    if standardErrorIsTerminal { printError("reading \(file)…") }
    let (records, invalid) = try parse(data)
    if !invalid.isEmpty && !skipInvalid {
        var report = ImportReport()
        report.read = records.count + invalid.count
        report.invalid = invalid
        if json { try Output.json(report) }
        let lines = invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n")
        throw ReplicaError(
            .invalidValue,
            "\(invalid.count) invalid records; nothing was imported (fix them, or pass --skip-invalid):\n\(lines)")
    }
    if standardErrorIsTerminal { printError("importing \(records.count) records…") }
    var report = try replica.importRecommendations(records, keyColumn: keyColumn, skipInvalid: skipInvalid)
    if !report.invalid.isEmpty && !skipInvalid {
        throw ReplicaError(
            .invalidValue,
            "\(report.invalid.count) invalid records; nothing was imported:\n"
                + report.invalid.prefix(20).map { "  line \($0.line): \($0.reason)" }.joined(separator: "\n"))
    }
    report.read += invalid.count
    report.invalid = invalid + report.invalid
    if json { return try Output.json(report) }
    print(
        "imported \(file): \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged, \(report.invalid.count) invalid"
    )
    for problem in report.invalid.prefix(50) { print("  line \(problem.line): \(problem.reason)") }
}
