import Shared

/// A bill in parliament that implements recommendations, as `Replica.trackBill(_:)` takes it.
public struct NewBill: Sendable, Equatable {
    /// The bill's title.
    public var title: String
    /// Parliament's reference for it, such as "Bill 12/2026".
    public var reference: String?
    /// The recommendation, or the cluster, it implements (its id), if one.
    public var target: String?
    /// Further recommendations it also implements (ids; input `covers`).
    public var covers: [String] = []
    /// Where it stands: `drafting`, `tabled`, `in_committee`, `passed`, `enacted`, `withdrawn` or `rejected`.
    public var stage = "drafting"
    /// When it reached that stage, `YYYY-MM-DD` (input `stageDate`).
    public var stageDate: String?
    /// Notes.
    public var notes: String?

    /// Creates a bill with its title.
    public init(title: String, target: String? = nil, stage: String = "drafting", stageDate: String? = nil) {
        self.title = title
        self.target = target
        self.stage = stage
        self.stageDate = stageDate
    }
}

extension Replica {
    /// Marks whether a recommendation needs legislation to be implemented (the secretariat).
    public func markNeedsLegislation(_ recommendation: String, _ needed: Bool = true) throws {
        try requireRow("recommendation", recommendation)
        try putAuthorised("recommendation", id: recommendation, fields: ["needs_legislation": .bool(needed)])
    }

    /// Starts following a bill (parliament or the secretariat); every organisation and the public read bills.
    ///
    /// - Returns: the bill's id.
    public func trackBill(_ bill: NewBill) throws -> String {
        var fields: [String: FieldValue] = ["title": .text(bill.title), "stage": .text(bill.stage)]
        if let target = bill.target {
            fields["\(try recommendationOrCluster(target))_id"] = .text(target)
        }
        if !bill.covers.isEmpty { fields["covers"] = .list(try coveredRecommendations(bill.covers)) }
        fields["reference"] = bill.reference.map(FieldValue.text)
        fields["notes"] = bill.notes.map(FieldValue.text)
        fields["stage_date"] = try bill.stageDate.map {
            .text(try InputRule.calendarDate.check($0, input: "stageDate", label: "the stage's date"))
        }
        return try putAuthorised("bill", fields: fields)
    }

    /// Records that a bill reached a new stage, on a date (today when nil).
    public func moveBill(_ bill: String, to stage: String, on date: String? = nil) throws {
        try requireRow("bill", bill)
        let day = try date.map { try InputRule.calendarDate.check($0, input: "stageDate", label: "the stage's date") }
        try putAuthorised(
            "bill", id: bill,
            fields: ["stage": .text(stage), "stage_date": .text(day ?? Self.today())])
    }
}
