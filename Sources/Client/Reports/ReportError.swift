import Foundation

/// A report or export that cannot be made, with a stable code and a message for the user.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable codes.
    public enum Code: String, Sendable {
        /// A language with no catalog (one of ar, en, es, fr, ru, zh is needed).
        case unknownLanguage = "unknown_language"
        /// A catalog without a key the report needs.
        case missingLabel = "missing_label"
        /// A template or catalog missing from the library's resources.
        case templateMissing = "template_missing"
        /// A format, report kind or scope that does not exist.
        case invalidScope = "invalid_scope"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
