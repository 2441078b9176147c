import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Server
import Shared
import TestSupport
import Testing

/// Sign-in under attack: guesses throttled, unknown accounts as slow as known ones, long
/// passwords whole.
@Suite("Sign-in throttling")
struct LoginThrottleTests {
    static let start: Int64 = 1_800_000_000_000
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    @Test("one account from one address: five free failures, then waits that double up to the cap")
    func pairWaits() {
        var throttle = LoginThrottle()
        var now = Self.start
        for _ in 1...5 {
            #expect(throttle.admit(account: "sara", address: "10.0.0.9", now: now) == .proceed)
            throttle.failed(account: "sara", address: "10.0.0.9", now: now)
        }
        #expect(throttle.admit(account: "sara", address: "10.0.0.9", now: now) == .proceed)
        throttle.failed(account: "sara", address: "10.0.0.9", now: now)
        #expect(throttle.admit(account: "sara", address: "10.0.0.9", now: now) == .wait(millis: 1_000))
        var waits: [Int64] = []
        for _ in 1...14 {
            guard case .wait(let millis) = throttle.admit(account: "sara", address: "10.0.0.9", now: now) else {
                Issue.record("a blocked pair was let in")
                return
            }
            now += millis
            #expect(throttle.admit(account: "sara", address: "10.0.0.9", now: now) == .proceed)
            throttle.failed(account: "sara", address: "10.0.0.9", now: now)
            if case .wait(let next) = throttle.admit(account: "sara", address: "10.0.0.9", now: now) {
                waits.append(next)
            }
        }
        #expect(Array(waits.prefix(4)) == [2_000, 4_000, 8_000, 16_000])
        let cap: Int64 = 15 * 60_000
        #expect(waits.last == cap)
        // The same account from another address is not held by this address's failures.
        #expect(throttle.admit(account: "sara", address: "10.0.0.10", now: now) == .proceed)
    }

    @Test("guesses spread over addresses meet a short per-account wait; a success clears it")
    func accountWaitIsShort() {
        var throttle = LoginThrottle()
        let now = Self.start
        for attempt in 1...40 {
            let address = "10.1.\(attempt / 250).\(attempt % 250)"
            if throttle.admit(account: "sara", address: address, now: now) == .proceed {
                throttle.failed(account: "sara", address: address, now: now)
            }
        }
        guard case .wait(let millis) = throttle.admit(account: "sara", address: "192.168.1.2", now: now) else {
            Issue.record("forty failures from forty addresses left the account open")
            return
        }
        #expect(millis <= 30_000)
        #expect(throttle.admit(account: "sara", address: "192.168.1.2", now: now + millis) == .proceed)
        throttle.succeeded(account: "sara", address: "192.168.1.2")
        #expect(throttle.admit(account: "sara", address: "192.168.1.3", now: now + millis) == .proceed)
    }

    @Test("one address trying many accounts is held; failures are forgotten after an hour")
    func addressAndMemory() {
        var throttle = LoginThrottle()
        let now = Self.start
        for index in 1...21 {
            #expect(throttle.admit(account: "user\(index)", address: "10.9.9.9", now: now) == .proceed)
            throttle.failed(account: "user\(index)", address: "10.9.9.9", now: now)
        }
        #expect(throttle.admit(account: "someone-else", address: "10.9.9.9", now: now) == .wait(millis: 1_000))
        #expect(throttle.admit(account: "someone-else", address: "10.9.9.9", now: now + 61 * 60_000) == .proceed)
    }

    @Test("at most four checks at once from one address")
    func concurrentChecks() {
        var throttle = LoginThrottle()
        for _ in 1...4 {
            #expect(throttle.admit(account: "sara", address: "10.0.0.1", now: Self.start) == .proceed)
        }
        #expect(throttle.admit(account: "sara", address: "10.0.0.1", now: Self.start) == .wait(millis: 1_000))
        #expect(throttle.admit(account: "sara", address: "10.0.0.2", now: Self.start) == .proceed)
        throttle.abandoned(address: "10.0.0.1")
        #expect(throttle.admit(account: "sara", address: "10.0.0.1", now: Self.start) == .proceed)
    }

    @Test("over HTTP: 429 with Retry-After before any password check, even for the right password")
    func overHTTP() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let wrong = try json(LoginRequest(user: "sara", password: "guess"))
            for _ in 1...6 {
                #expect(try await send(client, .post, "/v1/login", body: wrong).code == .invalidCredentials)
            }
            let refused = try await client.execute(
                uri: "/v1/login", method: .post, body: try json(LoginRequest(user: "sara", password: "correct horse"))
            ) { $0 }
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            fixture.clock.advance(by: 1_000)
            _ = try await login(client)
        }
    }

    @Test("the client's address: the peer, or behind a trusted proxy the right-most address it forwarded")
    func clientAddresses() {
        let direct = ClientAddressRule()
        #expect(direct.client(peer: "192.0.2.9", forwardedFor: ["203.0.113.5"]) == "192.0.2.9")
        #expect(direct.client(peer: nil, forwardedFor: []) == "unknown")
        let proxied = ClientAddressRule(trustedProxies: ["127.0.0.1", "10.0.0.2", "[::1]"])
        #expect(proxied.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1, 203.0.113.5"]) == "203.0.113.5")
        // Two proxies in a row: the address the outer one saw.
        #expect(
            proxied.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1", "203.0.113.5, 10.0.0.2"]) == "203.0.113.5")
        #expect(proxied.client(peer: "::1", forwardedFor: ["2001:DB8::7"]) == "2001:db8::7")
        // No header, or no address where the proxy writes: the proxy's own address.
        #expect(proxied.client(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(proxied.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.5, not-an-address"]) == "127.0.0.1")
        // A peer that is not a trusted proxy cannot choose its address.
        #expect(proxied.client(peer: "192.0.2.9", forwardedFor: ["203.0.113.5"]) == "192.0.2.9")
    }

    @Test("behind a trusted proxy one client's guesses hold that client only; a direct client's header is ignored")
    func behindProxy() async throws {
        let wrong = try json(LoginRequest(user: "sara", password: "guess"))
        let right = try json(LoginRequest(user: "sara", password: "correct horse"))
        let proxied = try await ServerFixture(trustedProxies: ["127.0.0.1", "::1"])
        try await proxied.app.test(.live) { (client: any TestClientProtocol) async throws in
            // The attacker forges an address on the left; the proxy appended the real one.
            let attacker: HTTPFields = [Self.forwardedFor: "192.0.2.7, 203.0.113.66"]
            for _ in 1...6 {
                #expect(
                    try await send(client, .post, "/v1/login", body: wrong, headers: attacker).code
                        == .invalidCredentials)
            }
            #expect(
                try await send(client, .post, "/v1/login", body: right, headers: attacker).status == .tooManyRequests)
            // The same account from another client behind the same proxy still signs in at once.
            let colleague: HTTPFields = [Self.forwardedFor: "203.0.113.66, 192.0.2.7"]
            #expect(try await send(client, .post, "/v1/login", body: right, headers: colleague).status == .ok)
        }
        let direct = try await ServerFixture()
        try await direct.app.test(.live) { (client: any TestClientProtocol) async throws in
            for index in 1...6 {
                let forged: HTTPFields = [Self.forwardedFor: "203.0.113.\(index)"]
                #expect(
                    try await send(client, .post, "/v1/login", body: wrong, headers: forged).code == .invalidCredentials
                )
            }
            let forged: HTTPFields = [Self.forwardedFor: "198.51.100.200"]
            #expect(try await send(client, .post, "/v1/login", body: right, headers: forged).status == .tooManyRequests)
        }
    }

    @Test(
        "refused sign-ins, password changes and pushes are logged with who, from where and why; never a password or token"
    )
    func securityLog() async throws {
        let fixture = try await ServerFixture()
        let guess = "guess-\(UInt32.random(in: 0...UInt32.max))"
        try await fixture.app.test(.live) { client in
            // Wrong passwords, an unknown account, then the throttle.
            for _ in 1...6 {
                let wrong = try json(LoginRequest(user: "sara", password: guess))
                #expect(try await send(client, .post, "/v1/login", body: wrong).code == .invalidCredentials)
            }
            let unknown = try json(LoginRequest(user: "zed", password: guess))
            #expect(try await send(client, .post, "/v1/login", body: unknown).code == .invalidCredentials)
            let throttled = try json(LoginRequest(user: "sara", password: "correct horse"))
            #expect(try await send(client, .post, "/v1/login", body: throttled).status == .tooManyRequests)
            fixture.clock.advance(by: 60_000)
            let session = try await login(client)

            // A wrong current password on a password change.
            let change = try json(PasswordChangeRequest(currentPassword: guess, newPassword: guess + guess))
            let refusedChange = try await send(client, .post, "/v1/password", body: change, token: session.token)
            #expect(refusedChange.code == .invalidCredentials)

            // A push with one refused operation among accepted ones.
            let hlc = HLCTimestamp(physical: fixture.clock.nowMillis())
            let push = PushRequest(ops: [
                SyncOperation(
                    id: UUIDv7.make(), table: "recommendation", row: UUIDv7.make(), kind: .upsert,
                    fields: ["text": .text("Adopt a plan")], hlc: hlc, replica: session.replica),
                SyncOperation(
                    id: UUIDv7.make(), table: "no_such_table", row: UUIDv7.make(), kind: .upsert, fields: [:],
                    hlc: hlc, replica: session.replica),
            ])
            #expect(try await send(client, .post, "/v1/push", body: try json(push), token: session.token).status == .ok)

            let refusedLogins = fixture.log.lines("auth.login.refused")
            #expect(
                refusedLogins.map { $0.metadata["auth.reason"] ?? "" }
                    == Array(repeating: "wrong password", count: 6) + ["unknown account", "throttled 1 s"])
            #expect(
                refusedLogins.map { $0.metadata["auth.user"] ?? "" }
                    == Array(repeating: #""sara""#, count: 6) + [#""zed""#, #""sara""#])
            #expect(refusedLogins.allSatisfy { $0.metadata["auth.address"] == "127.0.0.1" && $0.level == "warning" })
            let passwordRefused = try #require(fixture.log.lines("auth.password.refused").first)
            #expect(passwordRefused.metadata["auth.address"] == "127.0.0.1")
            let pushRefused = try #require(fixture.log.lines("sync.push.refused").first)
            #expect(pushRefused.level == "notice")
            #expect(pushRefused.metadata["auth.user"] == "sara")
            #expect(pushRefused.metadata["auth.org"] == "nmirf")
            #expect(pushRefused.metadata["auth.replica"] == session.replica)
            #expect(pushRefused.metadata["auth.address"] == "127.0.0.1")
            #expect(pushRefused.metadata["sync.push.codes"] == "unknown_table=1")

            // No line holds a password or the token; the same grep finds the user's name (the control).
            let text = fixture.log.lines.map(\.text).joined(separator: "\n")
            #expect(text.contains("sara"))
            for secret in [guess, "correct horse", session.token] {
                #expect(!text.contains(secret), "the log holds a secret")
            }
        }
    }

    @Test("an unknown account is checked against a decoy hash, as slowly as a known one")
    func unknownAccountsCostTheSame() async throws {
        let storage = try await ServerFixture().storage
        let credentials = Credentials(bcryptCost: 10)
        try await storage.addUser(name: "omar", org: "nmirf", passwordHash: try await credentials.hashPassword("pw"))
        let identity = IdentityService(storage: storage, credentials: credentials, clock: SystemWallClock())
        func timed(_ user: String) async -> Duration {
            let clock = ContinuousClock()
            return await clock.measure {
                _ = try? await identity.login(LoginRequest(user: user, password: "wrong"), from: user)
            }
        }
        _ = await timed("nobody")  // makes the decoy once
        var known: Duration = .zero
        var unknown: Duration = .zero
        for round in 1...3 {
            known += await timed("omar")
            unknown += await timed("nobody\(round)")
        }
        // A bcrypt check at cost 10 takes tens of milliseconds; without the decoy an unknown
        // account answers in well under one, a thousand times faster. Not a speed target: the
        // bound only tells a bcrypt check from none, with room for a loaded machine (other
        // builds can slow one side of the comparison twice as much as the other).
        #expect(unknown > known / 20, "unknown \(unknown), known \(known)")
    }

    @Test("every byte of a long password counts; hashes made before the digest still verify")
    func longPasswords() async throws {
        let credentials = Credentials(bcryptCost: 4)
        let long = String(repeating: "correct horse battery staple ", count: 4)
        let hash = try await credentials.hashPassword(long)
        #expect(try await credentials.verifyPassword(long, hash: hash))
        #expect(!(try await credentials.verifyPassword(String(long.prefix(72)), hash: hash)))
        #expect(!(try await credentials.verifyPassword(String(long.prefix(72)) + "something else", hash: hash)))
        let legacy = Bcrypt.hash("correct horse", cost: 4)
        #expect(try await credentials.verifyPassword("correct horse", hash: legacy))
        #expect(!(try await credentials.verifyPassword("wrong horse", hash: legacy)))
    }
}
