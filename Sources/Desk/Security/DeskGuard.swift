import Crypto
import Foundation
import Synchronization

/// Who may use the desk: the hosts it answers to, the one-time entry secret it printed and the
/// browser session that secret opened.
///
/// The desk listens on loopback, but any local account and any web page the user visits can
/// reach loopback: the Host check stops DNS rebinding, the cookie stops other accounts and pages,
/// and the CSRF token stops forms posted from elsewhere.
public final class DeskGuard: Sendable {
    private struct State {
        var hosts: Set<String>
        var entrySecret: String?
        var sessions: Set<String> = []
        var cookieName: String
    }

    private let state: Mutex<State>
    /// The secret the printed address carries, usable once.
    public let entrySecret: String

    /// A guard answering to `hosts` (`127.0.0.1:PORT` and `localhost:PORT`), with a new entry secret.
    public init(hosts: Set<String>, cookieName: String = "followup_desk") {
        let secret = Self.randomToken()
        entrySecret = secret
        state = Mutex(State(hosts: hosts, entrySecret: secret, cookieName: cookieName))
    }

    /// Answers to the loopback addresses of `port` from now on, and names the session cookie after
    /// the port (cookies are shared by every port of a host: two desks must not share one).
    public func listen(onPort port: Int) {
        state.withLock {
            $0.hosts = ["127.0.0.1:\(port)", "localhost:\(port)"]
            $0.cookieName = "followup_desk_\(port)"
        }
    }

    /// The name of the session cookie.
    public var cookieName: String { state.withLock { $0.cookieName } }

    /// Whether a request naming `host` in its Host header is meant for this desk.
    public func answers(host: String?) -> Bool {
        guard let host else { return false }
        return state.withLock { $0.hosts.contains(host.lowercased()) }
    }

    /// Opens a session with the entry secret, which then stops working; nil when `secret` is not
    /// the entry secret or was used already.
    public func enter(with secret: String) -> String? {
        state.withLock { state in
            guard let expected = state.entrySecret, Self.equal(secret, expected) else { return nil }
            state.entrySecret = nil
            let session = Self.randomToken()
            state.sessions.insert(session)
            return session
        }
    }

    /// Whether `token` is a session this desk opened.
    public func isSession(_ token: String?) -> Bool {
        guard let token else { return false }
        return state.withLock { state in state.sessions.contains { Self.equal($0, token) } }
    }

    /// The CSRF token of a session: every form carries it, and a POST without it changes nothing.
    public func csrfToken(forSession session: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data("followup-desk-csrf".utf8), using: SymmetricKey(data: Data(session.utf8)))
        return Data(code).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares in time independent of where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// 32 random bytes as lower-case hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
