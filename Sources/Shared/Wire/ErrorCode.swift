/// The stable error codes of protocol v1, used in error bodies and in rejected verdicts.
///
/// `protocol/errors.md` says what each requires of a client. Codes are never renamed or reused.
public enum ErrorCode: String, Sendable, Hashable, Codable, CaseIterable {
    // Request-level errors (an HTTP error status and an error body).
    case malformedJSON = "malformed_json"
    case malformedRequest = "malformed_request"
    case payloadTooLarge = "payload_too_large"
    case batchTooLarge = "batch_too_large"
    case unsupportedEncoding = "unsupported_encoding"
    case unauthorized = "unauthorized"
    case invalidCredentials = "invalid_credentials"
    case accountDisabled = "account_disabled"
    case notFound = "not_found"
    case internalError = "internal_error"

    // SyncOperation-level rejections (a verdict inside a 200 push response).
    case unknownTable = "unknown_table"
    case unknownColumn = "unknown_column"
    case readOnlyColumn = "read_only_column"
    case invalidValue = "invalid_value"
    case missingRequiredField = "missing_required_field"
    case invalidID = "invalid_id"
    case invalidOperation = "invalid_operation"
    case clockSkew = "clock_skew"
    case rowDeleted = "row_deleted"
    case rowNotFound = "row_not_found"
    case forgedReplica = "forged_replica"
}

/// Why an operation was refused: a stable code and a sentence a person can act on.
public struct Rejection: Error, Sendable, Hashable, Codable {
    /// The stable code.
    public var code: ErrorCode
    /// What was wrong, in words.
    public var message: String

    /// Creates a rejection.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
