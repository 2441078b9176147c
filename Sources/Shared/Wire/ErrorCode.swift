/// A stable error code of protocol v1, used in error bodies and in rejected verdicts.
///
/// An open set: a client decodes codes it does not know (added by a newer server) and treats
/// them as a generic failure, so new codes can be added within v1. `protocol/errors.md` says
/// what each code requires of a client. Codes are never renamed or reused.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The code as it appears on the wire.
    public var rawValue: String

    /// Creates a code from its wire form.
    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    // Request-level errors (an HTTP error status and an error body).
    public static let malformedJSON = ErrorCode(rawValue: "malformed_json")
    public static let malformedRequest = ErrorCode(rawValue: "malformed_request")
    public static let payloadTooLarge = ErrorCode(rawValue: "payload_too_large")
    public static let batchTooLarge = ErrorCode(rawValue: "batch_too_large")
    public static let unsupportedEncoding = ErrorCode(rawValue: "unsupported_encoding")
    public static let unauthorized = ErrorCode(rawValue: "unauthorized")
    public static let invalidCredentials = ErrorCode(rawValue: "invalid_credentials")
    public static let accountDisabled = ErrorCode(rawValue: "account_disabled")
    public static let tooManyRequests = ErrorCode(rawValue: "too_many_requests")
    /// The organisation's daily quota of accepted bytes is used up (429 with `Retry-After`).
    public static let quotaExceeded = ErrorCode(rawValue: "quota_exceeded")
    /// A push made for another organisation than the session's: the user was moved (409).
    public static let organisationChanged = ErrorCode(rawValue: "organisation_changed")
    public static let notFound = ErrorCode(rawValue: "not_found")
    public static let internalError = ErrorCode(rawValue: "internal_error")
    /// An evidence file (or a declared upload length) is over the server's file size limit.
    public static let fileTooLarge = ErrorCode(rawValue: "file_too_large")
    /// An upload's `Upload-Offset` is not the number of bytes the server holds of it.
    public static let offsetMismatch = ErrorCode(rawValue: "offset_mismatch")
    /// A finished upload's SHA-256 is not the one it was sent under; its bytes were discarded.
    public static let hashMismatch = ErrorCode(rawValue: "hash_mismatch")
    /// A download's `Range` starts at or beyond the end of the file.
    public static let invalidRange = ErrorCode(rawValue: "invalid_range")

    // Operation-level rejections (a verdict inside a 200 push response).
    public static let unknownTable = ErrorCode(rawValue: "unknown_table")
    public static let unknownColumn = ErrorCode(rawValue: "unknown_column")
    public static let readOnlyColumn = ErrorCode(rawValue: "read_only_column")
    public static let invalidValue = ErrorCode(rawValue: "invalid_value")
    public static let missingRequiredField = ErrorCode(rawValue: "missing_required_field")
    public static let invalidID = ErrorCode(rawValue: "invalid_id")
    public static let invalidOperation = ErrorCode(rawValue: "invalid_operation")
    public static let clockSkew = ErrorCode(rawValue: "clock_skew")
    public static let rowDeleted = ErrorCode(rawValue: "row_deleted")
    public static let rowNotFound = ErrorCode(rawValue: "row_not_found")
    public static let forgedReplica = ErrorCode(rawValue: "forged_replica")
    public static let operationReused = ErrorCode(rawValue: "operation_reused")
    public static let invalidTransition = ErrorCode(rawValue: "invalid_transition")
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// An attachment names a content hash whose bytes the pushing organisation has not uploaded whole.
    public static let fileNotUploaded = ErrorCode(rawValue: "file_not_uploaded")

    // MARK: Client-side errors (never on the wire)
    //
    // Raised by the reference client (`ReplicaError`, `TransportError`) or stored in its rejected
    // list; a server never sends them. `docs/client-codes.md` says when.

    /// There is no replica in the directory, or it was never signed in.
    public static let notInitialised = ErrorCode(rawValue: "not_initialised")
    /// The directory already holds a replica.
    public static let alreadyInitialised = ErrorCode(rawValue: "already_initialised")
    /// The server's schema is newer than this client's: update the client.
    public static let upgradeRequired = ErrorCode(rawValue: "upgrade_required")
    /// A push answer decided none of the operations sent.
    public static let noProgress = ErrorCode(rawValue: "no_progress")
    /// Pulled pages kept naming another organisation than the replica's.
    public static let scopeUnstable = ErrorCode(rawValue: "scope_unstable")
    /// The server answered a replica id other than this replica's at sign-in.
    public static let wrongReplica = ErrorCode(rawValue: "wrong_replica")
    /// The account signing in belongs to another organisation than the replica's.
    public static let wrongOrganisation = ErrorCode(rawValue: "wrong_organisation")
    /// A file to read (JSON Lines rows, an import) cannot be read.
    public static let fileNotFound = ErrorCode(rawValue: "file_not_found")
    /// An import file is not of the format asked for.
    public static let invalidFile = ErrorCode(rawValue: "invalid_file")
    /// A summary was asked for by a grouping other than mechanism, cluster, institution or sdg.
    public static let invalidGrouping = ErrorCode(rawValue: "invalid_grouping")
    /// No HTTP answer came from the server (connection refused, DNS failure, timeout).
    public static let unreachable = ErrorCode(rawValue: "unreachable")
    /// A server answer, or a pulled row, could not be read.
    public static let malformedResponse = ErrorCode(rawValue: "malformed_response")
    /// A rejected-list entry: an unsent edit set aside when another account took the replica over.
    public static let accountChanged = ErrorCode(rawValue: "account_changed")
    /// A rejected-list entry for a refusal that came without a code.
    public static let rejected = ErrorCode(rawValue: "rejected")
    /// The thing asked for exists already (an institution assigned twice to one recommendation).
    public static let alreadyExists = ErrorCode(rawValue: "already_exists")
    /// The replica lacks what the server sends at the first sync (the mechanisms): sync first.
    public static let syncRequired = ErrorCode(rawValue: "sync_required")
    /// The fingerprint given to trust is not that of the organisation's current key.
    public static let fingerprintMismatch = ErrorCode(rawValue: "fingerprint_mismatch")
    /// This replica holds no private key of its organisation (to export, or for this kind).
    public static let noPrivateKey = ErrorCode(rawValue: "no_private_key")
    /// A key file does not open with the passphrase given (or is not a key file).
    public static let wrongPassphrase = ErrorCode(rawValue: "wrong_passphrase")
    /// A sealed file is sealed to keys this replica does not hold: it cannot be opened here.
    public static let sealed = ErrorCode(rawValue: "sealed")

    /// The server's audit log does not hold what this replica saw (`followup audit verify`), or
    /// a head's signature is not valid.
    public static let auditFailed = ErrorCode(rawValue: "audit_failed")
    /// The server signed its audit log's head with another key than the one pinned at init.
    public static let serverKeyChanged = ErrorCode(rawValue: "server_key_changed")

    /// A non-200 answer without an error body, such as `http_502` from a proxy.
    public static func http(status: Int) -> ErrorCode { ErrorCode(rawValue: "http_\(status)") }
}

/// An error carrying a stable code, told apart by its code whichever layer threw it.
public protocol CodedError: Error {
    /// The stable code.
    var code: ErrorCode { get }
}

/// Why an operation was refused: a stable code and a sentence a person can act on.
public struct Rejection: CodedError, Sendable, Hashable, Codable {
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
