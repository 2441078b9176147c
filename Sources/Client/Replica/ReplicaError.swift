import Shared

/// A failure of a replica command, worded for the person at the keyboard.
public struct ReplicaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code: a protocol code or a client-side one such as `.notInitialised`.
    public var code: ErrorCode
    /// What went wrong and what to do.
    public var message: String
    /// The caller's input the error is about, when it is one, so a form or a command can point at it.
    public var invalidInput: InvalidInput?

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String, invalidInput: InvalidInput? = nil) {
        self.code = code
        self.message = message
        self.invalidInput = invalidInput
    }

    /// The message.
    public var description: String { message }
}

/// A typed input of a library operation that broke one of the input rules.
public struct InvalidInput: Sendable, Equatable {
    /// The input's name as the operation's input type spells it, such as `dueDate` or `budget.currency`.
    public var name: String
    /// The rule it broke.
    public var rule: InputRule

    /// Creates a description of an invalid input.
    public init(name: String, rule: InputRule) {
        self.name = name
        self.rule = rule
    }
}

/// A rule the typed inputs of the library's operations follow, checked before anything is written.
public enum InputRule: String, Sendable, Equatable {
    /// A calendar date written `YYYY-MM-DD`.
    case calendarDate
    /// An ISO 4217 currency code's shape: three upper-case letters.
    case currencyCode
    /// An amount of money: a finite number, zero or more.
    case amount

    /// What the rule asks for, as the end of a sentence naming the input.
    public var requirement: String {
        switch self {
        case .calendarDate: "must be a date written YYYY-MM-DD"
        case .currencyCode: "must be a three-letter ISO 4217 code such as USD"
        case .amount: "must be an amount of zero or more"
        }
    }

    /// Whether `value` follows the rule.
    public func accepts(_ value: String) -> Bool {
        switch self {
        case .calendarDate: OperationRules.isCalendarDate(value)
        case .currencyCode: value.count == 3 && value.allSatisfy { $0.isASCII && $0.isUppercase }
        case .amount: Double(value).map { $0.isFinite && $0 >= 0 } ?? false
        }
    }

    /// `value` when it follows the rule; otherwise an `invalid_value` error naming input `name`.
    func check(_ value: String, input name: String, label: String) throws -> String {
        guard accepts(value) else {
            throw ReplicaError(
                .invalidValue, "\(label) \(requirement)", invalidInput: InvalidInput(name: name, rule: self))
        }
        return value
    }

    /// An amount that follows the `amount` rule; otherwise an `invalid_value` error naming input `name`.
    static func checkAmount(_ value: Double, input name: String, label: String) throws -> Double {
        guard value.isFinite, value >= 0 else {
            throw ReplicaError(
                .invalidValue, "\(label) \(InputRule.amount.requirement)",
                invalidInput: InvalidInput(name: name, rule: .amount))
        }
        return value
    }
}
