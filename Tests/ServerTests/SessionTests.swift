import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Server
import Shared
import TestSupport
import Testing

/// Sessions end: idle and absolute limits, revocation per device, password changes and resets.
@Suite("Sessions and accounts")
struct SessionTests {
    static let day: Int64 = 86_400_000

    func pull(_ client: some TestClientProtocol, _ token: String) async throws -> (HTTPResponse.Status, ErrorCode?) {
        let answer = try await send(client, .post, "/v1/pull", body: try json(PullRequest(cursor: 0)), token: token)
        return (answer.status, answer.code)
    }

    @Test("a session expires after 30 days unused or 180 days in all; use restarts the idle clock")
    func expiry() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let idle = try await login(client).token
            fixture.clock.advance(by: 31 * Self.day)
            let expired = try await send(
                client, .post, "/v1/pull", body: try json(PullRequest(cursor: 0)), token: idle)
            #expect(expired.status == .unauthorized)
            #expect(expired.code == .unauthorized)
            #expect(String(buffer: expired.body).contains("expired"))

            let used = try await login(client).token
            for _ in 1...8 {
                fixture.clock.advance(by: 20 * Self.day)
                #expect(try await pull(client, used) == (.ok, nil))
            }
            fixture.clock.advance(by: 21 * Self.day)  // 181 days since it was opened
            #expect(try await pull(client, used) == (.unauthorized, .unauthorized))
            _ = try await login(client)
        }
    }

    @Test("re-enabling a user does not revive the tokens of before; revoking a device ends its sessions alone")
    func revocation() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let old = try await login(client).token
            try await fixture.storage.setUserDisabled(name: "sara", disabled: true)
            #expect(try await pull(client, old) == (.forbidden, .accountDisabled))
            try await fixture.storage.setUserDisabled(name: "sara", disabled: false)
            #expect(try await pull(client, old) == (.unauthorized, .unauthorized))

            let laptop = try await login(client)
            let phone = try await login(client)
            #expect(laptop.replica != phone.replica)
            #expect(
                try await fixture.storage.revokeSessions(user: nil, device: laptop.replica, keeping: nil) == 1)
            #expect(try await pull(client, laptop.token) == (.unauthorized, .unauthorized))
            #expect(try await pull(client, phone.token) == (.ok, nil))
            let listed = try await fixture.storage.sessions(user: "sara")
            #expect(listed.count == 3)
            #expect(listed.filter { !$0.revoked }.map(\.device) == [phone.replica])
        }
    }

    @Test("a user changes the password with the current one; the other devices are signed out, this one stays")
    func passwordChange() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let other = try await login(client).token
            let this = try await login(client).token
            func change(_ current: String, _ new: String) async throws -> (
                status: HTTPResponse.Status, body: ByteBuffer, code: ErrorCode?
            ) {
                try await send(
                    client, .post, "/v1/password",
                    body: try json(PasswordChangeRequest(currentPassword: current, newPassword: new)), token: this)
            }
            #expect(try await change("wrong horse", "a much longer one").code == .invalidCredentials)
            #expect(try await change("correct horse", "short").code == .malformedRequest)
            let changed = try await change("correct horse", "a much longer one")
            #expect(changed.status == .ok)
            #expect(
                try WireCoding.decoder().decode(PasswordChangeResponse.self, from: Data(buffer: changed.body))
                    == PasswordChangeResponse(revokedSessions: 1))
            #expect(try await pull(client, this) == (.ok, nil))
            #expect(try await pull(client, other) == (.unauthorized, .unauthorized))
            let oldPassword = try await send(
                client, .post, "/v1/login", body: try json(LoginRequest(user: "sara", password: "correct horse")))
            #expect(oldPassword.code == .invalidCredentials)
            let newPassword = try await send(
                client, .post, "/v1/login", body: try json(LoginRequest(user: "sara", password: "a much longer one")))
            #expect(newPassword.status == .ok)
            #expect(
                try await send(
                    client, .post, "/v1/password",
                    body: try json(
                        PasswordChangeRequest(
                            currentPassword: "a", newPassword: "b"))
                ).code == .unauthorized)
        }
    }

    @Test("an operator's reset sets the password and revokes every session of the user")
    func reset() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app.test(.router) { client in
            let first = try await login(client).token
            let second = try await login(client).token
            let hash = try await Credentials(bcryptCost: 4).hashPassword("a new long password")
            #expect(
                try await fixture.storage.setPasswordHash(user: "sara", hash: hash, revokingSessionsExcept: nil) == 2)
            #expect(try await pull(client, first) == (.unauthorized, .unauthorized))
            #expect(try await pull(client, second) == (.unauthorized, .unauthorized))
            await #expect(throws: ServiceError.self) {
                try await fixture.storage.revokeSessions(user: "nobody", device: nil, keeping: nil)
            }
        }
    }
}
