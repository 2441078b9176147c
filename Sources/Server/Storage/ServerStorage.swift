import Shared

/// An error of the server's services: a stable code and a message, mapped to HTTP by the routes.
public struct ServiceError: CodedError, Sendable, Equatable {
    /// The stable code.
    public var code: ErrorCode
    /// What went wrong, in words.
    public var message: String
    /// When to try again, in seconds (`Retry-After`), for a refusal that passes with time.
    public var retryAfterSeconds: Int?

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One page of a viewer's change feed.
public struct ChangePage: Sendable, Equatable {
    /// Whole rows and purges, in feed order.
    public var changes: [RowChange]
    /// The last feed sequence this page covers.
    public var cursor: Int64
    /// Whether more changes follow.
    public var more: Bool
    /// The State the deployment follows up, if the operator named one.
    public var state: String?
    /// The latest signed head of the audit log, if any.
    public var head: SignedTreeHead?
}

/// What the policy says about one user and one row, for `admin explain`.
public struct AccessExplanation: Sendable, Equatable {
    /// The user's organisation and kind.
    public var viewer: Viewer
    /// Whether the row exists and is live.
    public var exists: Bool
    /// The read decision.
    public var read: PolicyDecision
    /// The decision on changing the row.
    public var write: PolicyDecision
}

extension AccessExplanation {
    /// What `policy` says about `viewer` reading and changing row `id` of `table`, holding
    /// `values` (nil when there is no live row).
    public init(
        policy: AccessPolicy, viewer: Viewer, table: String, id: String, values: [String: FieldValue]?,
        facts: some PolicyFacts
    ) throws {
        guard let values else {
            let none = PolicyDecision(allowed: false, line: "none", reason: "there is no live \(table) \(id)")
            self.init(viewer: viewer, exists: false, read: none, write: none)
            return
        }
        self.init(
            viewer: viewer, exists: true,
            read: try policy.decideRead(table: table, values: values, viewer: viewer, facts: facts),
            write: try policy.decideWrite(
                .update, table: table, before: values, after: values, viewer: viewer, facts: facts))
    }
}

/// One page of the operation log.
public struct OperationPage: Sendable, Equatable {
    /// The operations, in sequence order.
    public var operations: [SyncOperation]
    /// The last sequence this page covers.
    public var cursor: Int64
    /// Whether operations with a higher sequence exist.
    public var more: Bool
}

/// The server's sync storage: the append-only operation log, the merged rows and the feed,
/// reached through one transaction entry point over the primitives of `SyncStoreWriter`.
///
/// Implementations hold queries, not rules: `SyncService` decides pushes with `PushDecider`,
/// records them with `ChangeRecorder` and pages pulls with `FeedPlanner`. The embedded SQLite
/// implementation is `SQLiteServerStorage`; a PostgreSQL one can follow behind this protocol,
/// keeping the feed-sequence rule stated on `SyncStoreWriter`.
public protocol ServerStorage: Sendable {
    /// Runs `body` as one write transaction: everything it does is stored, or nothing.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreWriter) throws -> T) async throws -> T
    /// Runs `body` on one consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreReader) throws -> T) async throws -> T
}

/// A session as the account store keeps it.
public struct StoredSession: Sendable, Equatable {
    /// Who and which device.
    public var session: Session
    /// Whether the user is disabled.
    public var disabled: Bool
    /// When the session was opened (sign-in), in milliseconds.
    public var createdAt: Int64
    /// When it was last used, in milliseconds (its opening when never).
    public var lastUsedAt: Int64

    /// Creates a stored session.
    public init(session: Session, disabled: Bool, createdAt: Int64, lastUsedAt: Int64) {
        self.session = session
        self.disabled = disabled
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// One session of one device, as `admin sessions` lists it.
public struct DeviceSession: Sendable, Equatable {
    /// The device, which is the replica id.
    public var device: String
    /// The device's label, if it gave one.
    public var deviceName: String?
    /// The user.
    public var user: String
    /// When the session was opened, in milliseconds.
    public var createdAt: Int64
    /// When it was last used, in milliseconds.
    public var lastUsedAt: Int64
    /// Whether it was revoked.
    public var revoked: Bool

    /// Creates a listing entry.
    public init(device: String, deviceName: String?, user: String, createdAt: Int64, lastUsedAt: Int64, revoked: Bool) {
        self.device = device
        self.deviceName = deviceName
        self.user = user
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revoked = revoked
    }
}

/// The server's accounts: organisations, users, devices and sessions.
public protocol AccountStore: Sendable {
    /// Adds an organisation and the `institution` row that stands for it in the synced data;
    /// fails with `malformed_request` if the id is taken.
    func addOrganisation(id: String, name: String, kind: OrganisationKind) async throws
    /// Adds a user of organisation `org` with an already hashed password.
    func addUser(name: String, org: String, passwordHash: String) async throws
    /// Disables or re-enables a user; a disabled user's tokens stop working at once.
    func setUserDisabled(name: String, disabled: Bool) async throws
    /// The stored password hash and disabled flag of `user`, if the user exists.
    func credentials(user: String) async throws -> (passwordHash: String, disabled: Bool)?
    /// Registers (or reuses) the user's device and stores a session for `tokenHash`.
    ///
    /// Reuses `replica` only when it is a device of the same user; otherwise creates a device.
    func openSession(
        user: String, replica: String?, deviceName: String?, tokenHash: String, now: Int64
    ) async throws -> Session
    /// The session of a token hash, whether its user is disabled and when it was opened and last
    /// used, or nil when unknown or revoked.
    func session(tokenHash: String) async throws -> StoredSession?
    /// Records that the session of `tokenHash` was used at `now` (its idle time starts again).
    func touchSession(tokenHash: String, now: Int64) async throws
    /// Revokes the live sessions of `user` (all of them, or all but `keeping`), or of device
    /// `device`; answers how many were revoked. Fails with `malformed_request` when the user or
    /// device is unknown.
    func revokeSessions(user: String?, device: String?, keeping: String?) async throws -> Int
    /// The sessions of every device (of `user` alone when given), newest first, revoked ones included.
    func sessions(user: String?) async throws -> [DeviceSession]
    /// Replaces the password hash of `user` and revokes their live sessions (all, or all but
    /// `keeping`) in one transaction; answers how many were revoked. Fails with
    /// `malformed_request` for an unknown user, changing nothing.
    func setPasswordHash(user: String, hash: String, revokingSessionsExcept keeping: String?) async throws -> Int
    /// Moves a user to another organisation; their replicas then reset to the new scope.
    func moveUser(name: String, org: String) async throws
    /// Names the State the deployment follows up (ISO 3166 alpha-3); replicas learn it at their
    /// next pull. Fails with `malformed_request` for a code that is not a State's.
    func setDeploymentState(_ state: String) async throws
    /// The organisation a user belongs to, as the policy sees it; nil for the operator's own
    /// identity; throws `malformed_request` for an unknown user.
    func viewer(ofUser user: String) async throws -> Viewer?
}
