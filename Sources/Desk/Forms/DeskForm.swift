import Client
import Foundation
import Shared

/// One of the desk's forms: its fields, who may fill it in, and the domain operation it calls.
///
/// Forms follow the GOV.UK Design System's pattern: a label and a hint for every field, tied
/// to it with `aria-describedby`; after a refused submission, an error summary at the top
/// linking to each field in error, and the message beside the field.
struct DeskForm {
    /// The forms, by the path segment that names them.
    enum Kind: String, CaseIterable {
        /// An action on a recommendation (ministries, the secretariat).
        case action
        /// A progress update on an action.
        case progress
        /// The NHRI's independent assessment of a recommendation.
        case assessment
        /// Information an NGO submits about a recommendation.
        case submission
        /// Parliament's question to an institution about a recommendation.
        case question
        /// The addressed institution's answer to a question.
        case answer
        /// The secretariat's assignment of a recommendation to an institution.
        case assignment
        /// A change to an action; a published one changes through a revision (`Replica.edit`).
        case edit

        /// The forms opened from a recommendation's page.
        static let onRecommendation: [Kind] = [.assignment, .action, .assessment, .submission, .question]

        /// Whether this replica's organisation may fill in the form about `target` (a
        /// recommendation, an action for progress, a question for an answer).
        func permitted(_ replica: Replica, target: String) -> Bool {
            guard self == .edit else {
                return replica.permits(RowEdit(table: table, fields: probe(replica, target: target)))
            }
            guard let row = try? replica.row("action", id: target), AccessPolicy.text(row["revision_of"]) == nil else {
                return false
            }
            guard (try? replica.needsRevision("action", id: target)) == true else {
                return replica.permits(
                    RowEdit(table: "action", id: target, fields: ["title": row["title"] ?? .text("-")]))
            }
            // The edit becomes a revision: a new row copying the published one.
            var fields: [String: FieldValue] = ["revision_of": .text(target)]
            for column in (try? replica.table("action").userColumns) ?? [] where column.name != "revision_of" {
                if let value = row[column.name] { fields[column.name] = value }
            }
            return replica.permits(RowEdit(table: "action", fields: fields))
        }

        /// The table the form writes.
        var table: String {
            switch self {
            case .action: "action"
            case .progress: "progress_update"
            case .assessment: "assessment"
            case .submission: "submission"
            case .question: "oversight_request"
            case .answer: "oversight_response"
            case .assignment: "assignment"
            case .edit: "action"
            }
        }

        /// The fields of a typical row of the form, to ask the access policy about.
        private func probe(_ replica: Replica, target: String) -> [String: FieldValue] {
            switch self {
            case .action:
                var fields: [String: FieldValue] = [
                    "recommendation_id": .text(target), "title": .text("-"), "status": .text("planned"),
                ]
                fields["institution_id"] = (try? replica.ownInstitution())?.map(FieldValue.text)
                return fields
            case .progress:
                return ["action_id": .text(target), "narrative": .text("-"), "date": .text(Replica.today())]
            case .assessment:
                return ["recommendation_id": .text(target), "rating": .text("partial"), "rationale": .text("-")]
            case .submission: return ["recommendation_id": .text(target), "text": .text("-")]
            case .question:
                let someone = (try? replica.institutions())?.first { $0.kind != "parliament" }?.id
                var fields: [String: FieldValue] = [
                    "recommendation_id": .text(target), "text": .text("-"), "kind": .text("question"),
                ]
                fields["institution_id"] = someone.map(FieldValue.text)
                return fields
            case .answer: return ["oversight_request_id": .text(target), "text": .text("-")]
            // `permitted` asks about the action itself, or the revision an edit would create.
            case .edit: return [:]
            case .assignment:
                var fields: [String: FieldValue] = ["recommendation_id": .text(target), "role": .text("lead")]
                fields["institution_id"] = (try? replica.institutions())?.first.map { FieldValue.text($0.id) }
                return fields
            }
        }

        /// The recommendation a form about `target` belongs to, where the user returns after it.
        func recommendation(of target: String, replica: Replica) -> String? {
            switch self {
            case .action, .assessment, .submission, .question, .assignment: return target
            case .progress, .edit:
                return (try? replica.row("action", id: target)).flatMap { AccessPolicy.text($0["recommendation_id"]) }
            case .answer:
                return (try? replica.row("oversight_request", id: target))
                    .flatMap { AccessPolicy.text($0["recommendation_id"]) }
            }
        }
    }

    /// A field of a form.
    struct Field {
        /// How the field is entered.
        enum Input: String {
            case text, textarea, date, number, select, checkbox
        }

        var name: String
        var input: Input
        var required = false
        var options: [(value: String, label: String)] = []
    }

    let kind: Kind

    /// The fields of the form, in order.
    func fields(_ replica: Replica, catalog: Catalog, target: String) -> [Field] {
        switch kind {
        case .action:
            return [
                Field(name: "title", input: .text, required: true), Field(name: "description", input: .textarea),
                Field(
                    name: "status", input: .select,
                    options: DeskForm.actionStatuses.map { ($0, catalog["action_status_" + $0]) }),
                Field(name: "startDate", input: .date), Field(name: "dueDate", input: .date),
                Field(name: "budget.amount", input: .number), Field(name: "budget.currency", input: .text),
            ]
        case .progress:
            let indicators = (try? replica.rows("indicator", where: "action_id", is: target)) ?? []
            var fields = [
                Field(name: "narrative", input: .textarea, required: true), Field(name: "date", input: .date),
                Field(
                    name: "status", input: .select,
                    options: [("", catalog["filter_any"])]
                        + ["on_track", "delayed", "at_risk", "completed"].map { ($0, catalog["progress_status_" + $0]) }
                ),
            ]
            if !indicators.isEmpty {
                fields.append(
                    Field(
                        name: "indicator", input: .select,
                        options: [("", catalog["filter_any"])]
                            + indicators.map { ($0.id, AccessPolicy.text($0.values["title"]) ?? "") }))
                fields.append(Field(name: "value", input: .number))
            }
            return fields
        case .assessment:
            return [
                Field(
                    name: "rating", input: .select, required: true,
                    options: DeskPages.ratings.map { ($0, catalog["rating_" + $0]) }),
                Field(name: "rationale", input: .textarea, required: true), Field(name: "sources", input: .textarea),
            ]
        case .submission:
            return [
                Field(name: "text", input: .textarea, required: true), Field(name: "confidential", input: .checkbox),
            ]
        case .question:
            let institutions = ((try? replica.institutions()) ?? []).filter {
                $0.kind != "parliament" && $0.kind != "ngo" && $0.kind != "nhri"
            }
            return [
                Field(
                    name: "institution", input: .select, required: true,
                    options: institutions.map { ($0.id, $0.name) }),
                Field(
                    name: "kind", input: .select,
                    options: ["question", "hearing", "information_request"].map { ($0, catalog["oversight_" + $0]) }),
                Field(name: "text", input: .textarea, required: true), Field(name: "dueDate", input: .date),
            ]
        case .answer:
            return [Field(name: "text", input: .textarea, required: true)]
        case .edit:
            return [
                Field(name: "title", input: .text, required: true), Field(name: "description", input: .textarea),
                Field(
                    name: "status", input: .select,
                    options: DeskForm.actionStatuses.map { ($0, catalog["action_status_" + $0]) }),
                Field(name: "dueDate", input: .date), Field(name: "spent", input: .number),
            ]
        case .assignment:
            let institutions = ((try? replica.institutions()) ?? []).filter {
                ["ministry", "judiciary", "secretariat"].contains($0.kind ?? "ministry")
            }
            return [
                Field(
                    name: "institution", input: .select, required: true,
                    options: institutions.map { ($0.id, $0.name) }),
                Field(
                    name: "role", input: .select, required: true,
                    options: AssignmentRole.allCases.map { ($0.rawValue, catalog["role_" + $0.rawValue]) }),
                Field(name: "focalPoint", input: .text),
            ]
        }
    }

    /// An action's statuses, in the order the forms list them.
    static let actionStatuses = ["planned", "in_progress", "completed", "cancelled"]

    /// The edit form's fields by the action's column they change.
    static let editedColumns = [
        "title": "title", "description": "description", "status": "status", "dueDate": "due_date",
        "spent": "spent_amount",
    ]

    /// What the form shows before anything is posted: for the edit form, the action's values as
    /// this organisation last wrote them (its revision's, when it proposes one).
    func initialValues(_ replica: Replica, target: String) -> FormValues {
        guard kind == .edit, let row = Self.editedRow(replica, action: target) else { return FormValues() }
        return FormValues(
            pairs: Self.editedColumns.compactMap { name, column in
                switch row[column] {
                case .text(let text): (name, text)
                case .real(let number): (name, String(number))
                case .integer(let number): (name, String(number))
                default: nil
                }
            })
    }

    /// The values an edit of `action` starts from: this organisation's revision's, or the action's.
    static func editedRow(_ replica: Replica, action: String) -> [String: FieldValue]? {
        guard let row = try? replica.row("action", id: action) else { return nil }
        guard (try? replica.needsRevision("action", id: action)) == true,
            let org = try? replica.settings().org,
            let own = try? replica.revisions(of: "action", id: action).first(where: { ($0.owner ?? org) == org })
        else { return row }
        return (try? replica.row("action", id: own.id)) ?? row
    }

    /// Records what the form says through the Client library's domain operation.
    ///
    /// - Returns: the catalog key of the notice to show: `notice_revision` when the edit went
    ///   into a revision the public does not see until the secretariat publishes it.
    @discardableResult
    func save(_ form: FormValues, replica: Replica, target: String) throws -> String {
        let number = { (name: String) throws -> Double? in
            guard let text = form[name] else { return nil }
            guard let value = Double(text.replacingOccurrences(of: ",", with: ".")) else {
                throw ReplicaError(.invalidValue, "not a number", invalidInput: InvalidInput(name: name, rule: .amount))
            }
            return value
        }
        switch kind {
        case .action:
            var action = NewAction(recommendation: target, title: form["title"] ?? "")
            action.description = form["description"]
            action.status = form["status"] ?? "planned"
            action.startDate = form["startDate"]
            action.dueDate = form["dueDate"]
            action.budget = Budget(amount: try number("budget.amount"), currency: form["budget.currency"])
            _ = try replica.planAction(action)
        case .progress:
            var update = NewProgressUpdate(action: target, narrative: form["narrative"] ?? "")
            update.date = form["date"]
            update.status = form["status"]
            update.indicator = form["indicator"]
            update.value = try number("value")
            _ = try replica.reportProgress(update)
        case .assessment:
            _ = try replica.recordAssessment(
                NewAssessment(
                    target: target, rating: form["rating"] ?? "", rationale: form["rationale"] ?? "",
                    sources: form["sources"]))
        case .submission:
            _ = try replica.addSubmission(
                NewSubmission(
                    recommendation: target, text: form["text"] ?? "", confidential: form["confidential"] != nil))
        case .question:
            var request = NewOversightRequest(
                institution: form["institution"] ?? "", text: form["text"] ?? "", kind: form["kind"] ?? "question",
                recommendation: target)
            request.dueDate = form["dueDate"]
            _ = try replica.askOversight(request)
        case .answer:
            _ = try replica.answerOversight(target, text: form["text"] ?? "")
        case .assignment:
            _ = try replica.assign(
                NewAssignment(
                    target: target, institution: form["institution"] ?? "",
                    role: form["role"].flatMap(AssignmentRole.init(rawValue:)) ?? .lead, focalPoint: form["focalPoint"])
            )
        case .edit:
            return try saveEdit(form, replica: replica, action: target, number: number)
        }
        return "notice_saved"
    }

    /// Sends the fields of the edit form that differ from what the organisation last wrote
    /// through `Replica.edit`.
    private func saveEdit(
        _ form: FormValues, replica: Replica, action: String, number: (String) throws -> Double?
    ) throws -> String {
        if let due = form["dueDate"], !InputRule.calendarDate.accepts(due) {
            throw ReplicaError(
                .invalidValue, "not a date", invalidInput: InvalidInput(name: "dueDate", rule: .calendarDate))
        }
        if let status = form["status"], !Self.actionStatuses.contains(status) {
            throw ReplicaError(.invalidValue, "not a status of an action")
        }
        var proposed: [String: FieldValue] = [
            "title": .text(form["title"] ?? ""), "description": form["description"].map(FieldValue.text) ?? .null,
            "due_date": form["dueDate"].map(FieldValue.text) ?? .null,
            "spent_amount": try number("spent").map(FieldValue.real) ?? .null,
        ]
        if let spent = proposed["spent_amount"], case .real(let amount) = spent, amount < 0 || !amount.isFinite {
            throw ReplicaError(.invalidValue, "not an amount", invalidInput: InvalidInput(name: "spent", rule: .amount))
        }
        if let status = form["status"] { proposed["status"] = .text(status) }
        let current = Self.editedRow(replica, action: action) ?? [:]
        let changed = proposed.filter { $0.value != (current[$0.key] ?? .null) }
        guard !changed.isEmpty else { return "notice_saved" }
        switch try replica.edit("action", id: action, fields: changed) {
        case .changed: return "notice_saved"
        case .revision: return "notice_revision"
        }
    }
}
