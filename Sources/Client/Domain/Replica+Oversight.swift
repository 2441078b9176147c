import Shared

/// A parliamentary oversight request to an institution, as `Replica.askOversight(_:)` takes it.
public struct NewOversightRequest: Sendable, Equatable {
    /// The institution asked (row id or organisation id).
    public var institution: String
    /// The recommendation concerned, if one.
    public var recommendation: String?
    /// The question or request.
    public var text: String
    /// `question`, `hearing` or `information_request`.
    public var kind = "question"
    /// The due date, `YYYY-MM-DD` (input `dueDate`).
    public var dueDate: String?
    /// For a hearing: its date, `YYYY-MM-DD` (input `hearingDate`).
    public var hearingDate: String?
    /// For a hearing: where it is held.
    public var hearingPlace: String?

    /// Creates a request.
    public init(
        institution: String, text: String, kind: String = "question", recommendation: String? = nil,
        dueDate: String? = nil
    ) {
        self.institution = institution
        self.text = text
        self.kind = kind
        self.recommendation = recommendation
        self.dueDate = dueDate
    }
}

extension Replica {
    /// Asks an institution a question, calls a hearing or requests information (parliament).
    ///
    /// - Returns: the request's id.
    public func askOversight(_ request: NewOversightRequest) throws -> String {
        var fields: [String: FieldValue] = [
            "institution_id": .text(try institutionID(request.institution)), "text": .text(request.text),
            "kind": .text(request.kind),
        ]
        if let recommendation = request.recommendation {
            try requireRow("recommendation", recommendation)
            fields["recommendation_id"] = .text(recommendation)
        }
        fields["due_date"] = try request.dueDate.map {
            .text(try InputRule.calendarDate.check($0, input: "dueDate", label: "the due date"))
        }
        fields["hearing_date"] = try request.hearingDate.map {
            .text(try InputRule.calendarDate.check($0, input: "hearingDate", label: "the hearing's date"))
        }
        fields["hearing_place"] = request.hearingPlace.map(FieldValue.text)
        return try putAuthorised("oversight_request", fields: fields)
    }

    /// Answers an oversight request (the institution asked).
    ///
    /// - Returns: the answer's id.
    public func answerOversight(_ request: String, text: String) throws -> String {
        try requireRow("oversight_request", request)
        return try putAuthorised(
            "oversight_response", fields: ["oversight_request_id": .text(request), "text": .text(text)])
    }
}
