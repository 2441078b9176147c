import Shared

/// Who is calling: the user, organisation and replica behind a bearer token.
///
/// Always derived from the authenticated session on the server, never from a payload.
public struct Session: Sendable, Equatable {
    /// The user's name.
    public var user: String
    /// The user's organisation id.
    public var org: String
    /// The organisation's kind.
    public var orgKind: OrganisationKind
    /// The replica (device) the token was issued to.
    public var replica: String

    /// The organisation as the access policy sees it.
    public var viewer: Viewer { Viewer(org: org, role: orgKind) }

    /// Creates a session.
    public init(user: String, org: String, orgKind: OrganisationKind, replica: String) {
        self.user = user
        self.org = org
        self.orgKind = orgKind
        self.replica = replica
    }
}

/// An error of the server's services: a stable code and a message, mapped to HTTP by the routes.
public struct ServiceError: Error, Sendable, Equatable {
    /// The stable code.
    public var code: ErrorCode
    /// What went wrong, in words.
    public var message: String

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
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

/// One page of the operation log.
public struct OperationPage: Sendable, Equatable {
    /// The operations, in sequence order.
    public var operations: [SyncOperation]
    /// The last sequence this page covers.
    public var cursor: Int64
    /// Whether operations with a higher sequence exist.
    public var more: Bool
}

/// The server's storage: identities, the append-only operation log and the merged state.
///
/// Every method is one transaction that keeps the storage's invariants. The embedded SQLite
/// implementation is `SQLiteServerStorage`; a PostgreSQL one can follow behind this protocol.
public protocol ServerStorage: Sendable {
    /// Adds an organisation; fails with `malformed_request` if the id is taken.
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
    /// The session of a token hash and whether its user is disabled, or nil when unknown or revoked.
    func session(tokenHash: String) async throws -> (session: Session, disabled: Bool)?
    /// Moves a user to another organisation; their replicas then reset to the new scope.
    func moveUser(name: String, org: String) async throws
    /// Decides and records every operation of one push, in order, in one transaction.
    func push(_ operations: [SyncOperation], session: Session, now: Int64, maxSkewMillis: Int64) async throws
        -> [Verdict]
    /// The changes in `viewer`'s scope after feed sequence `cursor`, at most `limit` of them.
    func changes(after cursor: Int64, limit: Int, viewer: Viewer) async throws -> ChangePage
    /// The accepted operations with log sequence above `cursor`, at most `limit` (the audit trail).
    func operations(after cursor: Int64, limit: Int) async throws -> OperationPage
    /// The digest of the merged state (`RowStore.digest`).
    func digest() async throws -> String
    /// The digest of the rows `viewer` may see: equal to the digest of that viewer's synced replica.
    func digest(visibleTo viewer: Viewer) async throws -> String
    /// What the policy says about `user` reading and changing row `id` of `table`.
    func explain(user: String, table: String, id: String) async throws -> AccessExplanation
    /// The number of operations in the log.
    func operationCount() async throws -> Int
}
