import Foundation

/// The protocol version spoken by this build (the `/v1/` path prefix).
public enum ProtocolVersion {
    /// The current major version.
    public static let current = 1
    /// The schema version this build knows (`Schema.current`); a client refuses to sync with a
    /// server whose schema is newer than its own, since it could not store what it pulls.
    public static let schema = 6
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

/// `POST /v1/password`: the signed-in user's new password, with the current one.
public struct PasswordChangeRequest: Codable, Sendable, Equatable {
    /// The password now.
    public var currentPassword: String
    /// The password from now on (at least 8 characters).
    public var newPassword: String

    /// Creates a request.
    public init(currentPassword: String, newPassword: String) {
        self.currentPassword = currentPassword
        self.newPassword = newPassword
    }

    enum CodingKeys: String, CodingKey {
        case currentPassword = "current_password"
        case newPassword = "new_password"
    }
}

/// The answer to a password change: how many other sessions of the user were revoked.
public struct PasswordChangeResponse: Codable, Sendable, Equatable {
    /// Sessions of the user's other devices (and older sessions of this one) now revoked.
    public var revokedSessions: Int

    /// Creates an answer.
    public init(revokedSessions: Int) {
        self.revokedSessions = revokedSessions
    }

    enum CodingKeys: String, CodingKey {
        case revokedSessions = "revoked_sessions"
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
    /// The organisation the replica made the operations for (optional): when it is not the
    /// session's, the user was moved, and the push is refused with `organisation_changed`.
    public var org: String?

    /// The most operations one push may carry.
    public static let maxOperations = 2_000

    /// Creates a push request.
    public init(ops: [SyncOperation], org: String? = nil) {
        self.ops = ops
        self.org = org
    }
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
    /// When rejected: the server's current state of the row as this replica may see it (a
    /// purge when it may not see it or the row does not exist), so the replica can restore it.
    public var current: RowChange?

    /// An acceptance at `seq`.
    public static func accepted(_ op: String, seq: Int64) -> Verdict {
        Verdict(op: op, status: .accepted, seq: seq, code: nil, message: nil, current: nil)
    }

    /// A rejection for `reason`, with the row's current state when known.
    public static func rejected(_ op: String, _ reason: Rejection, current: RowChange? = nil) -> Verdict {
        Verdict(op: op, status: .rejected, seq: nil, code: reason.code, message: reason.message, current: current)
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

/// `POST /v1/pull` answer: the changes in the replica's scope after the cursor.
public struct PullResponse: Codable, Sendable, Equatable {
    /// Rows that changed or entered the scope (whole rows) and rows that left it (purges), in
    /// feed order.
    public var changes: [RowChange]
    /// The cursor to send next time (the last feed sequence this page covers).
    public var cursor: Int64
    /// Whether more changes follow.
    public var more: Bool
    /// The organisation whose scope this page is (a replica that holds another's rows resets).
    public var org: String
    /// The organisation's kind.
    public var orgKind: String
    /// The server's clock, milliseconds since the epoch.
    public var serverTime: Int64
    /// The State the deployment follows up (ISO 3166 alpha-3), once the operator has named it.
    public var state: String?
    /// The server's latest signed tree head of its operation log (§18), when it has one.
    public var head: SignedTreeHead?

    /// Creates a pull answer.
    public init(
        changes: [RowChange], cursor: Int64, more: Bool, org: String, orgKind: String, serverTime: Int64,
        state: String? = nil, head: SignedTreeHead? = nil
    ) {
        self.changes = changes
        self.cursor = cursor
        self.more = more
        self.org = org
        self.orgKind = orgKind
        self.serverTime = serverTime
        self.state = state
        self.head = head
    }

    enum CodingKeys: String, CodingKey {
        case changes, cursor, more, org, state, head
        case orgKind = "org_kind"
        case serverTime = "server_time"
    }
}

/// One entry of a pull: the whole current state of a row the replica may see, or a purge.
///
/// A row carries every field with the version that wrote it, so the replica merges it field by
/// field (last writer wins) without losing its own pending edits. A purge tells the replica the
/// row left its scope: it deletes every trace of it.
public struct RowChange: Codable, Sendable, Equatable {
    /// A whole row or a purge.
    public enum Kind: String, Codable, Sendable {
        /// The row's current state.
        case row
        /// The row is no longer visible to this replica.
        case purge
    }

    /// The feed sequence (0 in a rejected verdict, which is not part of the feed).
    public var seq: Int64
    /// The table.
    public var table: String
    /// The row id.
    public var row: String
    /// Row or purge.
    public var kind: Kind
    /// The row's field values, server-managed ones included (empty for a purge or a deleted row).
    public var fields: [String: FieldValue]
    /// The version (`<hlc>@<writer>`, the writer an operation id) that wrote each field.
    public var versions: [String: String]
    /// The deleting version, when the row was deleted.
    public var deleted: String?

    /// Creates a change.
    public init(
        seq: Int64, table: String, row: String, kind: Kind, fields: [String: FieldValue] = [:],
        versions: [String: String] = [:], deleted: String? = nil
    ) {
        self.seq = seq
        self.table = table
        self.row = row
        self.kind = kind
        self.fields = fields
        self.versions = versions
        self.deleted = deleted
    }

    /// About how many bytes the change takes in a pull page's JSON (never fewer).
    public var estimatedJSONBytes: Int {
        var bytes = 160 + table.utf8.count + (deleted?.utf8.count ?? 0)
        for (name, value) in fields {
            bytes += name.utf8.count + 8
            switch value {
            // Escaping at most doubles a text (a \uXXXX escape is six bytes for one control
            // character, but text holds none but tab and line breaks).
            case .text(let text): bytes += 2 * text.utf8.count + 2
            case .list(let items): bytes += items.reduce(2) { $0 + 2 * $1.utf8.count + 3 }
            default: bytes += 24
            }
        }
        for (name, version) in versions { bytes += name.utf8.count + version.utf8.count + 6 }
        return bytes
    }

    /// The merged state a row change carries, or nil for a purge or unreadable versions.
    public var state: RowState? {
        guard kind == .row else { return nil }
        var state = RowState()
        for (column, text) in versions {
            guard let version = FieldVersion(text) else { return nil }
            state.versions[column] = version
            state.values[column] = fields[column] ?? .null
        }
        if let deleted {
            guard let version = FieldVersion(deleted) else { return nil }
            state.tombstone = version
        }
        return state
    }

    enum CodingKeys: String, CodingKey {
        case seq, table, row, kind, fields, versions, deleted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(Int64.self, forKey: .seq)
        table = try container.decode(String.self, forKey: .table)
        row = try container.decode(String.self, forKey: .row)
        kind = try container.decode(Kind.self, forKey: .kind)
        fields = try container.decodeIfPresent([String: FieldValue].self, forKey: .fields) ?? [:]
        versions = try container.decodeIfPresent([String: String].self, forKey: .versions) ?? [:]
        deleted = try container.decodeIfPresent(String.self, forKey: .deleted)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(table, forKey: .table)
        try container.encode(row, forKey: .row)
        try container.encode(kind, forKey: .kind)
        if kind == .row {
            try container.encode(fields, forKey: .fields)
            try container.encode(versions, forKey: .versions)
            try container.encodeIfPresent(deleted, forKey: .deleted)
        }
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
