import Shared

/// Sign-in and token checks over the storage.
public struct IdentityService: Sendable {
    let storage: any AccountStore
    let credentials: Credentials
    let clock: any WallClock

    /// Creates the service.
    public init(storage: any AccountStore, credentials: Credentials, clock: any WallClock) {
        self.storage = storage
        self.credentials = credentials
        self.clock = clock
    }

    /// Checks the password and opens a session for the replica; returns the login answer.
    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        guard let stored = try await storage.credentials(user: request.user),
            try await credentials.verifyPassword(request.password, hash: stored.passwordHash)
        else {
            throw ServiceError(.invalidCredentials, "the user name or password is wrong")
        }
        guard !stored.disabled else {
            throw ServiceError(.accountDisabled, "the account '\(request.user)' is disabled; ask the operator")
        }
        let token = Credentials.newToken()
        let session = try await storage.openSession(
            user: request.user, replica: request.replica, deviceName: request.deviceName,
            tokenHash: Credentials.tokenHash(token), now: clock.nowMillis())
        return LoginResponse(
            token: token, user: session.user, org: session.org, orgKind: session.orgKind.rawValue,
            replica: session.replica, serverTime: clock.nowMillis())
    }

    /// The session behind a bearer token, or nil when it is unknown or revoked.
    ///
    /// Throws `account_disabled` when the user was disabled: the token stops working at once,
    /// and the replica is told why.
    public func session(token: String) async throws -> Session? {
        guard let (session, disabled) = try await storage.session(tokenHash: Credentials.tokenHash(token)) else {
            return nil
        }
        if disabled {
            throw ServiceError(
                .accountDisabled,
                "the account '\(session.user)' has been disabled; its pending edits stay on the replica for another account to review"
            )
        }
        return session
    }
}
