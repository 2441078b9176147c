import Shared
import Synchronization

/// Sign-in and token checks over the storage.
public struct IdentityService: Sendable {
    let storage: any AccountStore
    let credentials: Credentials
    let clock: any WallClock
    let gate: LoginGate

    /// Creates the service.
    public init(
        storage: any AccountStore, credentials: Credentials, clock: any WallClock,
        throttle: LoginThrottle = LoginThrottle()
    ) {
        self.storage = storage
        self.credentials = credentials
        self.clock = clock
        self.gate = LoginGate(throttle: throttle)
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
