import Foundation
import Shared

/// An action a ministry plans on a recommendation or a cluster, as `Replica.planAction(_:)` takes it.
public struct NewAction: Sendable, Equatable {
    /// The recommendation, or the cluster, the action implements (its id).
    ///
    /// An action on a cluster is the work of the institutions assigned to that cluster.
    public var target: String
    /// Further recommendations the action also serves (ids; input `covers`); they do not
    /// change who sees or changes it.
    public var covers: [String] = []
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

    /// Creates an action with the required fields: the recommendation or cluster it implements, and a title.
    public init(target: String, title: String) {
        self.target = target
        self.title = title
    }

    /// Creates an action on a recommendation.
    public init(recommendation: String, title: String) {
        self.init(target: recommendation, title: title)
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
    /// The money spent so far, in the same currency (input `budget.spent`).
    public var spent: Double?

    /// Creates a budget.
    public init(amount: Double? = nil, currency: String? = nil, line: String? = nil, spent: Double? = nil) {
        self.amount = amount
        self.currency = currency
        self.line = line
        self.spent = spent
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
    /// Plans an action on a recommendation or a cluster, with its indicator when there is one, in one transaction.
    ///
    /// Checks that the recommendation or cluster, the recommendations it also covers and the
    /// institution are on this replica, the dates, amounts and currency (`invalid_value`, naming
    /// the input), then the access policy and the row rules as the server will.
    ///
    /// - Returns: the action's id.
    public func planAction(_ action: NewAction) throws -> String {
        let targetTable = try recommendationOrCluster(action.target)
        let actionID = UUIDv7.make()
        var fields: [String: FieldValue] = [
            "\(targetTable)_id": .text(action.target), "title": .text(action.title),
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
        fields["budget_amount"] = try action.budget.amount.map {
            .real(try InputRule.checkAmount($0, input: "budget.amount", label: "the budget amount"))
        }
        fields["budget_currency"] = try action.budget.currency.map {
            .text(try InputRule.currencyCode.check($0, input: "budget.currency", label: "the budget currency"))
        }
        fields["budget_line"] = action.budget.line.map(FieldValue.text)
        fields["spent_amount"] = try action.budget.spent.map {
            .real(try InputRule.checkAmount($0, input: "budget.spent", label: "the money spent"))
        }
        if !action.covers.isEmpty { fields["covers"] = .list(try coveredRecommendations(action.covers)) }
        var edits = [RowEdit(table: "action", id: actionID, fields: fields)]
        if let indicator = action.indicator {
            var indicatorFields: [String: FieldValue] = ["title": .text(indicator.title), "action_id": .text(actionID)]
            if targetTable == "recommendation" { indicatorFields["recommendation_id"] = .text(action.target) }
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
            "date": .text(date ?? Self.today()),
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

extension Replica {
    /// Records the money spent so far on an action, beside its budget (ministries).
    ///
    /// On a published action it goes into the ministry's revision of it (`edit(_:id:fields:)`).
    @discardableResult
    public func recordSpending(action: String, amount: Double) throws -> EditOutcome {
        try requireRow("action", action)
        let spent = try InputRule.checkAmount(amount, input: "amount", label: "the money spent")
        return try edit("action", id: action, fields: ["spent_amount": .real(spent)])
    }

    /// Today's date on the system clock, `YYYY-MM-DD` (UTC).
    public static func today() -> String {
        String(Date().formatted(.iso8601).prefix(10))
    }

    /// Checks that every id names a recommendation on this replica; answers them without repeats, in order.
    func coveredRecommendations(_ ids: [String]) throws -> [String] {
        var seen: Set<String> = []
        for id in ids { try requireRow("recommendation", id) }
        return ids.filter { seen.insert($0).inserted }
    }
}
