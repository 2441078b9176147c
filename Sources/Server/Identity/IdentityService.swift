import Shared
import Synchronization

/// Sign-in and token checks over the storage.
public struct IdentityService: Sendable {
    let storage: any AccountStore
    let credentials: Credentials
    let clock: any WallClock
    let gate: LoginGate
    let limits: SessionLimits

    /// Creates the service.
    public init(
        storage: any AccountStore, credentials: Credentials, clock: any WallClock,
        throttle: LoginThrottle = LoginThrottle(), limits: SessionLimits = SessionLimits()
    ) {
        self.storage = storage
        self.credentials = credentials
        self.clock = clock
        self.gate = LoginGate(throttle: throttle)
        self.limits = limits
    }

    /// Checks the password and opens a session for the replica; returns the login answer.
    ///
    /// Attempts are throttled per account and `address` (`too_many_requests`, with the wait).
    /// An unknown account costs the same bcrypt check as a known one, so the time of the
    /// answer does not tell which accounts exist.
    public func login(_ request: LoginRequest, from address: String) async throws -> LoginResponse {
        let now = clock.nowMillis()
        if case .wait(let millis) = gate.admit(account: request.user, address: address, now: now) {
            throw LoginRefusal.throttled(retryAfterSeconds: Int((millis + 999) / 1000))
        }
        let stored: (passwordHash: String, disabled: Bool)?
        let matches: Bool
        do {
            stored = try await storage.credentials(user: request.user)
            let hash: String
            if let stored { hash = stored.passwordHash } else { hash = try await gate.decoyHash(credentials) }
            matches = try await credentials.verifyPassword(request.password, hash: hash)
        } catch {
            gate.abandoned(address: address)
            throw error
        }
        guard let stored, matches else {
            gate.failed(account: request.user, address: address, now: clock.nowMillis())
            throw LoginRefusal.wrongCredentials(knownAccount: stored != nil)
        }
        gate.succeeded(account: request.user, address: address)
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
    /// and the replica is told why. Throws `unauthorized` when the session has been idle longer
    /// than the idle limit or open longer than the absolute one; the replica signs in again and
    /// keeps its pending edits.
    public func session(token: String) async throws -> Session? {
        let tokenHash = Credentials.tokenHash(token)
        guard let stored = try await storage.session(tokenHash: tokenHash) else { return nil }
        if stored.disabled {
            throw ServiceError(
                .accountDisabled,
                "the account '\(stored.session.user)' has been disabled; its pending edits stay on the replica for another account to review"
            )
        }
        let now = clock.nowMillis()
        if let reason = limits.expiry(createdAt: stored.createdAt, lastUsedAt: stored.lastUsedAt, now: now) {
            throw ServiceError(
                .unauthorized,
                "the session expired (\(reason)); sign in again with followup login: pending edits are kept")
        }
        // The idle clock restarts at most once a minute, so that reads stay reads.
        if now - stored.lastUsedAt >= 60_000 { try await storage.touchSession(tokenHash: tokenHash, now: now) }
        return stored.session
    }

    /// Changes the password of the session's user after checking the current one, and revokes
    /// the user's other sessions; answers how many were revoked.
    ///
    /// Wrong current passwords count as failed sign-ins of the account (`LoginThrottle`).
    ///
    /// - Parameters:
    ///   - keeping: the hash of the token the change was made with; its session stays open.
    public func changePassword(
        _ request: PasswordChangeRequest, session: Session, keeping tokenHash: String?, from address: String
    ) async throws -> PasswordChangeResponse {
        guard request.newPassword.count >= Credentials.minimumPasswordLength else {
            throw ServiceError(
                .malformedRequest, "a new password needs at least \(Credentials.minimumPasswordLength) characters")
        }
        let now = clock.nowMillis()
        if case .wait(let millis) = gate.admit(account: session.user, address: address, now: now) {
            throw LoginRefusal.throttled(retryAfterSeconds: Int((millis + 999) / 1000))
        }
        let matches: Bool
        do {
            if let stored = try await storage.credentials(user: session.user) {
                matches = try await credentials.verifyPassword(request.currentPassword, hash: stored.passwordHash)
            } else {
                matches = false
            }
        } catch {
            gate.abandoned(address: address)
            throw error
        }
        guard matches else {
            gate.failed(account: session.user, address: address, now: clock.nowMillis())
            throw LoginRefusal.wrongCredentials(knownAccount: true)
        }
        gate.succeeded(account: session.user, address: address)
        let hash = try await credentials.hashPassword(request.newPassword)
        return PasswordChangeResponse(
            revokedSessions: try await storage.setPasswordHash(
                user: session.user, hash: hash, revokingSessionsExcept: tokenHash))
    }
}

/// How long a session lasts: since it was last used, and since it was opened.
public struct SessionLimits: Sendable, Equatable {
    /// The longest time without a request, in milliseconds (`--session-idle-days`).
    public var idleMillis: Int64
    /// The longest life of a session, in milliseconds (`--session-max-days`).
    public var maxMillis: Int64

    /// Creates limits; by default 30 days idle and 180 days in all, since replicas work offline
    /// for weeks.
    public init(idleDays: Int = 30, maxDays: Int = 180) {
        self.idleMillis = Int64(idleDays) * 86_400_000
        self.maxMillis = Int64(maxDays) * 86_400_000
    }

    /// Why a session opened at `createdAt` and last used at `lastUsedAt` is over at `now`, or nil.
    public func expiry(createdAt: Int64, lastUsedAt: Int64, now: Int64) -> String? {
        if now - createdAt > maxMillis { return "open for more than \(maxMillis / 86_400_000) days" }
        if now - lastUsedAt > idleMillis { return "unused for more than \(idleMillis / 86_400_000) days" }
        return nil
    }
}

/// Why a sign-in was refused, as the route logs it; the caller hears only the error's code.
public enum LoginRefusal: Error, Sendable, Equatable {
    /// Too many failures lately: try again after the wait.
    case throttled(retryAfterSeconds: Int)
    /// The password is wrong, or there is no such account (the answer does not say which).
    case wrongCredentials(knownAccount: Bool)

    /// The error the caller receives.
    public var serviceError: ServiceError {
        switch self {
        case .throttled(let seconds):
            ServiceError(
                .tooManyRequests, "too many failed sign-ins; try again in \(seconds) s (Retry-After)")
        case .wrongCredentials:
            ServiceError(.invalidCredentials, "the user name or password is wrong")
        }
    }
}

/// The throttle of one server process, and the decoy hash checked for unknown accounts.
final class LoginGate: Sendable {
    private let throttle: Mutex<LoginThrottle>
    private let decoy = Mutex<String?>(nil)

    init(throttle: LoginThrottle) {
        self.throttle = Mutex(throttle)
    }

    func admit(account: String, address: String, now: Int64) -> LoginThrottle.Admission {
        throttle.withLock { $0.admit(account: account, address: address, now: now) }
    }

    func failed(account: String, address: String, now: Int64) {
        throttle.withLock { $0.failed(account: account, address: address, now: now) }
    }

    func succeeded(account: String, address: String) {
        throttle.withLock { $0.succeeded(account: account, address: address) }
    }

    func abandoned(address: String) {
        throttle.withLock { $0.abandoned(address: address) }
    }

    /// A hash of a random password at the server's cost, made once, for unknown accounts.
    func decoyHash(_ credentials: Credentials) async throws -> String {
        if let hash = decoy.withLock({ $0 }) { return hash }
        let hash = try await credentials.hashPassword(Credentials.newToken())
        decoy.withLock { $0 = hash }
        return hash
    }
}
