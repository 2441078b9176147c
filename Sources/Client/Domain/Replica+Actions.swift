import Foundation
import Shared

/// An action a ministry plans on a recommendation, as `Replica.planAction(_:)` takes it.
public struct NewAction: Sendable, Equatable {
    /// The recommendation the action implements.
    public var recommendation: String
    /// The title.
    public var title: String
    /// A description.
    public var description: String?
    /// The expected outcome.
    public var expectedOutcome: String?
    /// The institution carrying it out (row id or organisation id); nil for the replica's organisation.
    public var institution: String?
    /// The start date, `YYYY-MM-DD` (input `startDate`).
    public var startDate: String?
    /// The due date, `YYYY-MM-DD` (input `dueDate`).
    public var dueDate: String?
    /// The money set aside for it.
    public var budget = Budget()
    /// `planned`, `in_progress`, `completed` or `cancelled`.
    public var status = "planned"
    /// An indicator measuring the action, created with it in the same transaction.
    public var indicator: NewIndicator?

    /// Creates an action with the required fields.
    public init(recommendation: String, title: String) {
        self.recommendation = recommendation
        self.title = title
    }
}

/// The budget of an action; every part is optional.
public struct Budget: Sendable, Equatable {
    /// The amount.
    public var amount: Double?
    /// The currency, an ISO 4217 code such as `USD` (input `budget.currency`).
    public var currency: String?
    /// The budget line.
    public var line: String?

    /// Creates a budget.
    public init(amount: Double? = nil, currency: String? = nil, line: String? = nil) {
        self.amount = amount
        self.currency = currency
        self.line = line
    }
}

/// An indicator created together with an action.
public struct NewIndicator: Sendable, Equatable {
    /// The title.
    public var title: String
    /// `structure`, `process` or `outcome`.
    public var kind: String?
    /// The unit of measure.
    public var unit: String?
    /// The baseline value.
    public var baseline: Double?
    /// The target value.
    public var target: Double?

    /// Creates an indicator with its title.
    public init(title: String, kind: String? = nil, unit: String? = nil, baseline: Double? = nil, target: Double? = nil)
    {
        self.title = title
        self.kind = kind
        self.unit = unit
        self.baseline = baseline
        self.target = target
    }
}

/// A report of progress on an action, as `Replica.reportProgress(_:)` takes it.
public struct NewProgressUpdate: Sendable, Equatable {
    /// The action reported on.
    public var action: String
    /// What was done.
    public var narrative: String
    /// The date, `YYYY-MM-DD` (input `date`); nil for today.
    public var date: String?
    /// A measured value.
    public var value: Double?
    /// `on_track`, `delayed`, `at_risk` or `completed`.
    public var status: String?
    /// The indicator the value measures.
    public var indicator: String?

    /// Creates a progress update with the required fields.
    public init(action: String, narrative: String) {
        self.action = action
        self.narrative = narrative
    }
}

extension Replica {
    /// Plans an action on a recommendation, with its indicator when there is one, in one transaction.
    ///
    /// Checks that the recommendation and the institution are on this replica, the dates and the
    /// currency (`invalid_value`, naming the input), then the row rules as the server will.
    ///
    /// - Returns: the action's id.
    public func planAction(_ action: NewAction) throws -> String {
        try requireRow("recommendation", action.recommendation)
        let actionID = UUIDv7.make()
        var fields: [String: FieldValue] = [
            "recommendation_id": .text(action.recommendation), "title": .text(action.title),
            "status": .text(action.status),
            "institution_id": .text(try institutionID(action.institution ?? settings().org)),
        ]
        fields["description"] = action.description.map(FieldValue.text)
        fields["expected_outcome"] = action.expectedOutcome.map(FieldValue.text)
        fields["start_date"] = try action.startDate.map {
            .text(try InputRule.calendarDate.check($0, input: "startDate", label: "the start date"))
        }
        fields["due_date"] = try action.dueDate.map {
            .text(try InputRule.calendarDate.check($0, input: "dueDate", label: "the due date"))
        }
        fields["budget_amount"] = action.budget.amount.map(FieldValue.real)
        fields["budget_currency"] = try action.budget.currency.map {
            .text(try InputRule.currencyCode.check($0, input: "budget.currency", label: "the budget currency"))
        }
        fields["budget_line"] = action.budget.line.map(FieldValue.text)
        var edits = [RowEdit(table: "action", id: actionID, fields: fields)]
        if let indicator = action.indicator {
            var indicatorFields: [String: FieldValue] = [
                "title": .text(indicator.title), "action_id": .text(actionID),
                "recommendation_id": .text(action.recommendation),
            ]
            indicatorFields["kind"] = indicator.kind.map(FieldValue.text)
            indicatorFields["unit"] = indicator.unit.map(FieldValue.text)
            indicatorFields["baseline"] = indicator.baseline.map(FieldValue.real)
            indicatorFields["target"] = indicator.target.map(FieldValue.real)
            edits.append(RowEdit(table: "indicator", fields: indicatorFields))
        }
        _ = try putAuthorised(edits)
        return actionID
    }

    /// Reports progress on an action; the date defaults to today (the system date).
    ///
    /// - Returns: the progress update's id.
    public func reportProgress(_ update: NewProgressUpdate) throws -> String {
        try requireRow("action", update.action)
        let date = try update.date.map { try InputRule.calendarDate.check($0, input: "date", label: "the date") }
        var fields: [String: FieldValue] = [
            "action_id": .text(update.action), "narrative": .text(update.narrative),
            "date": .text(date ?? String(Date().formatted(.iso8601).prefix(10))),
        ]
        fields["value"] = update.value.map(FieldValue.real)
        fields["status"] = update.status.map(FieldValue.text)
        if let indicator = update.indicator {
            try requireRow("indicator", indicator)
            fields["indicator_id"] = .text(indicator)
        }
        return try putAuthorised("progress_update", fields: fields)
    }
}
