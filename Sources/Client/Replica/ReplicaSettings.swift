import GRDB
import RowStorage
import Shared

/// The single row of a replica's own settings: identity, session, cursor and clock state.
public struct ReplicaSettings: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "replica_settings"

    /// Always 1: the table holds one row.
    var singleton = 1
    /// The replica (device) id issued by the server at sign-in.
    public var replicaID: String
    /// The server's base URL.
    public var serverURL: String
    /// The signed-in user's name.
    public var userName: String
    /// The user's organisation id.
    public var org: String
    /// The organisation's kind.
    public var orgKind: String
    /// The bearer token (never the password); nil after the server refused it.
    public var token: String?
    /// The last server sequence applied.
    public var cursor: Int64
    /// The hybrid logical clock's last timestamp.
    public var hlcLast: String
    /// The largest HLC among operations this replica knows the server holds (pulled or accepted).
    public var maxKnownHLC: String
    /// Milliseconds added to the system clock (set when the server found this clock wrong).
    public var clockOffsetMillis: Int64
    /// When the last complete sync ended (ms since the epoch).
    public var lastSyncAt: Int64?
    /// The State the deployment follows up (ISO 3166 alpha-3), learnt at sync; nil until the
    /// operator names one.
    public var deploymentState: String? = nil

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case singleton
        case replicaID = "replica_id"
        case serverURL = "server_url"
        case userName = "user_name"
        case org
        case orgKind = "org_kind"
        case token
        case cursor
        case hlcLast = "hlc_last"
        case maxKnownHLC = "max_known_hlc"
        case clockOffsetMillis = "clock_offset_ms"
        case lastSyncAt = "last_sync_at"
        case deploymentState = "deployment_state"
    }

    /// The hybrid logical clock as persisted.
    var clock: HybridLogicalClock {
        HybridLogicalClock(last: HLCTimestamp(hlcLast) ?? HLCTimestamp(physical: 0))
    }
}

/// A summary of a replica for `followup status`.
public struct ReplicaStatus: Sendable, Equatable, Codable {
    /// The replica id.
    public var replica: String
    /// The server URL.
    public var server: String
    /// The user name.
    public var user: String
    /// The organisation id.
    public var org: String
    /// Operations waiting to be pushed.
    public var pending: Int
    /// Pending edits of confidential rows waiting for the keys they are sealed to (never sent in clear).
    public var waitingForKeys: Int
    /// Operations the server refused, kept for review.
    public var rejected: Int
    /// The pull cursor.
    public var cursor: Int64
    /// When the last complete sync ended (ms since the epoch), if ever.
    public var lastSyncAt: Int64?
    /// Whether the replica holds a session token.
    public var signedIn: Bool
    /// Milliseconds the replica adds to its system clock.
    public var clockOffsetMillis: Int64
    /// The State the deployment follows up, once learnt.
    public var state: String?
    /// Whether removed rows may still have bytes in the write-ahead log, because another
    /// program was reading the replica when they were removed (the next sync wipes them).
    public var wipePending = false
    /// Organisations listed as NHRIs that this replica has not accepted: nothing is sealed to them.
    public var unconfirmedRecipients: [String] = []
    /// Accepted NHRIs no longer listed as NHRIs: still sealed to until the user forgets them.
    public var unlistedRecipients: [String] = []

    enum CodingKeys: String, CodingKey {
        case replica, server, user, org, pending, rejected, cursor
        case unconfirmedRecipients = "unconfirmed_recipients"
        case unlistedRecipients = "unlisted_recipients"
        case waitingForKeys = "waiting_for_keys"
        case lastSyncAt = "last_sync_at"
        case signedIn = "signed_in"
        case clockOffsetMillis = "clock_offset_ms"
        case state
        case wipePending = "wipe_pending"
    }
}

/// An operation the server refused, kept in the replica for the user to review.
public struct RejectedOperation: Sendable, Equatable {
    /// The refused operation.
    public var operation: SyncOperation
    /// The stable code.
    public var code: ErrorCode
    /// The server's reason.
    public var message: String
}
