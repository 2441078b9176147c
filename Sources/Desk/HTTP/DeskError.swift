import Hummingbird

/// Why the desk refused a request: an HTTP status, a stable code and a catalog key for the page
/// that says so.
public struct DeskError: Error, Sendable, Equatable {
    /// The stable codes.
    public enum Code: String, Sendable {
        /// The Host header names another host (DNS rebinding): 421.
        case wrongHost = "wrong_host"
        /// No session cookie, or a stale one: 403.
        case noSession = "no_session"
        /// The entry secret was wrong or already used: 403.
        case entryRefused = "entry_refused"
        /// A POST without the form's CSRF token: 403.
        case csrf = "csrf"
        /// The page or row does not exist on this replica: 404.
        case notFound = "not_found"
        /// The replica's policy does not allow this edit: 403.
        case forbidden = "forbidden"
        /// The form body is too large or not a form: 400.
        case badForm = "bad_form"
        /// A posted file is larger than the desk accepts; nothing was stored: 413.
        case fileTooLarge = "file_too_large"
        /// An evidence file whose bytes have not reached this replica yet: 404.
        case notDownloaded = "not_downloaded"
        /// A confidential submission's file sealed to keys this replica does not hold: 403.
        case sealed
        /// Something failed on this computer (the log says what): 500.
        case failed
    }

    /// The code.
    public var code: Code

    /// Creates an error with `code`.
    public init(_ code: Code) { self.code = code }

    /// The HTTP status the code answers with.
    public var status: HTTPResponse.Status {
        switch code {
        case .wrongHost: .misdirectedRequest
        case .noSession, .entryRefused, .csrf, .forbidden, .sealed: .forbidden
        case .notFound, .notDownloaded: .notFound
        case .fileTooLarge: .contentTooLarge
        case .badForm: .badRequest
        case .failed: .internalServerError
        }
    }

    /// The catalog key of the explanation shown.
    public var messageKey: String { "error_" + code.rawValue }
}
