import Foundation

/// The protocol version spoken by this build (the `/v1/` path prefix).
public enum ProtocolVersion {
    /// The current major version.
    public static let current = 1
    /// The schema version this build knows (`Schema.current`); a client refuses to sync with a
    /// server whose schema is newer than its own, since it could not store what it pulls.
    public static let schema = 2
}

/// `GET /v1/health` answer.
public struct HealthResponse: Codable, Sendable, Equatable {
    /// Always `"ok"` when the server answers.
    public var status: String
    /// The protocol version the server speaks.
    public var protocolVersion: Int
    /// The schema version of the server's tables.
    public var schemaVersion: Int
    /// The server's clock, milliseconds since the epoch.
    public var serverTime: Int64

    /// Creates a health answer.
    public init(
        status: String = "ok", protocolVersion: Int = ProtocolVersion.current,
        schemaVersion: Int = ProtocolVersion.schema, serverTime: Int64
    ) {
        self.status = status
        self.protocolVersion = protocolVersion
        self.schemaVersion = schemaVersion
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case status
        case protocolVersion = "protocol_version"
        case schemaVersion = "schema_version"
        case serverTime = "server_time"
    }
}

/// `POST /v1/login` body.
public struct LoginRequest: Codable, Sendable, Equatable {
    /// The user name.
    public var user: String
    /// The password (sent over TLS in production; never stored by the client).
    public var password: String
    /// The replica id from an earlier login of this replica, to keep the same device.
    public var replica: String?
    /// A label for the device (for example the host name).
    public var deviceName: String?

    /// Creates a login request.
    public init(user: String, password: String, replica: String? = nil, deviceName: String? = nil) {
        self.user = user
        self.password = password
        self.replica = replica
        self.deviceName = deviceName
    }

    enum CodingKeys: String, CodingKey {
        case user, password, replica
        case deviceName = "device_name"
    }
}

/// `POST /v1/login` answer.
public struct LoginResponse: Codable, Sendable, Equatable {
    /// The bearer token for `Authorization: Bearer <token>`.
    public var token: String
    /// The signed-in user's name.
    public var user: String
    /// The user's organisation id.
    public var org: String
    /// The organisation's kind (secretariat, ministry, parliament, nhri, ngo).
    public var orgKind: String
    /// The replica (device) id the client must stamp on its operations.
    public var replica: String
    /// The schema version of the server's tables.
    public var schemaVersion: Int
    /// The server's clock, milliseconds since the epoch.
    public var serverTime: Int64

    /// Creates a login answer.
    public init(
        token: String, user: String, org: String, orgKind: String, replica: String,
        schemaVersion: Int = ProtocolVersion.schema, serverTime: Int64
    ) {
        self.token = token
        self.user = user
        self.org = org
        self.orgKind = orgKind
        self.replica = replica
        self.schemaVersion = schemaVersion
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case token, user, org, replica
        case orgKind = "org_kind"
        case schemaVersion = "schema_version"
        case serverTime = "server_time"
    }
}

/// `POST /v1/push` body: operations in the order the replica made them.
public struct PushRequest: Codable, Sendable, Equatable {
    /// The operations, at most `PushRequest.maxOperations`.
    public var ops: [SyncOperation]

    /// The most operations one push may carry.
    public static let maxOperations = 2_000

    /// Creates a push request.
    public init(ops: [SyncOperation]) { self.ops = ops }
}

/// The server's decision on one pushed operation.
public struct Verdict: Codable, Sendable, Equatable {
    /// Accepted or rejected.
    public enum Status: String, Codable, Sendable {
        case accepted
        case rejected
    }

    /// The operation's id.
    public var op: String
    /// The decision.
    public var status: Status
    /// The server sequence, when accepted.
    public var seq: Int64?
    /// The stable code, when rejected.
    public var code: ErrorCode?
    /// Why, when rejected.
    public var message: String?

    /// An acceptance at `seq`.
    public static func accepted(_ op: String, seq: Int64) -> Verdict {
        Verdict(op: op, status: .accepted, seq: seq, code: nil, message: nil)
    }

    /// A rejection for `reason`.
    public static func rejected(_ op: String, _ reason: Rejection) -> Verdict {
        Verdict(op: op, status: .rejected, seq: nil, code: reason.code, message: reason.message)
    }
}

/// `POST /v1/push` answer: one verdict per operation, in request order.
public struct PushResponse: Codable, Sendable, Equatable {
    /// The verdicts.
    public var verdicts: [Verdict]
    /// The server's clock, milliseconds since the epoch.
    public var serverTime: Int64

    /// Creates a push answer.
    public init(verdicts: [Verdict], serverTime: Int64) {
        self.verdicts = verdicts
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case verdicts
        case serverTime = "server_time"
    }
}

/// `POST /v1/pull` body.
public struct PullRequest: Codable, Sendable, Equatable {
    /// The last server sequence the replica has applied (0 at first).
    public var cursor: Int64
    /// The most operations wanted in this page (the server may send fewer).
    public var limit: Int?

    /// The page size used when `limit` is absent.
    public static let defaultLimit = 1_000
    /// The largest page the server sends.
    public static let maxLimit = 5_000

    /// Creates a pull request.
    public init(cursor: Int64, limit: Int? = nil) {
        self.cursor = cursor
        self.limit = limit
    }
}

/// `POST /v1/pull` answer: the next page of the operation log after the cursor.
public struct PullResponse: Codable, Sendable, Equatable {
    /// Accepted operations with `seq > cursor`, in sequence order, with `seq`, `author`, `org`.
    public var ops: [SyncOperation]
    /// The cursor to send next time (the last sequence covered by this page).
    public var cursor: Int64
    /// Whether more operations follow.
    public var more: Bool
    /// The server's clock, milliseconds since the epoch.
    public var serverTime: Int64

    /// Creates a pull answer.
    public init(ops: [SyncOperation], cursor: Int64, more: Bool, serverTime: Int64) {
        self.ops = ops
        self.cursor = cursor
        self.more = more
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case ops, cursor, more
        case serverTime = "server_time"
    }
}

/// The body of every error answer: `{"error": {"code": ..., "message": ...}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The error itself.
    public struct Detail: Codable, Sendable, Equatable {
        /// The stable code.
        public var code: ErrorCode
        /// What happened, in words.
        public var message: String
    }

    /// The error.
    public var error: Detail

    /// Creates an error body.
    public init(code: ErrorCode, message: String) {
        self.error = Detail(code: code, message: message)
    }
}

/// The JSON coders of the wire protocol: sorted keys on output (names are snake_case by `CodingKeys`).
public enum WireCoding {
    /// A new encoder for wire messages.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder for wire messages.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        return decoder
    }
}
