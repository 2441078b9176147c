import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// The operator's and the user's account commands, run as the real executables against a
/// running `followup-server serve`: sessions listed and revoked per device, a password reset,
/// a password change, and a session that expires, each keeping the replica's pending edits.
@Suite("Account commands, end to end")
struct AccountCommandTests {
    /// Runs an executable to the end on a thread of its own: waiting for it on the cooperative
    /// pool could starve the in-process server the child talks to.
    static func run(_ name: String, _ arguments: [String], input: String? = nil) async throws -> (
        status: Int32, output: String
    ) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try Executables.run(name, arguments, input: input) })
            }.start()
        }
    }

    /// Runs `followup-server admin --data DATA <arguments>`.
    static func admin(_ data: String, _ arguments: [String], input: String? = nil) async throws -> (
        status: Int32, output: String
    ) {
        try await run("followup-server", ["admin", "--data", data] + arguments, input: input)
    }

    /// Signs `user` in (password `<user>-pass`) from a new replica in `directory`.
    static func enrol(_ user: String, in directory: String, on url: String) async throws -> Replica {
        try await Replica.enrol(directory: directory, serverURL: url, user: user, password: "\(user)-pass")
    }

    /// Serves `storage` over HTTP while `body` runs, on a clock the test moves.
    ///
    /// `body` gets the server's address and that clock. Operator commands reach the same
    /// database file.
    static func serveOnManualClock<T: Sendable>(
        _ storage: SQLiteServerStorage, data: String, _ body: @Sendable (String, ManualWallClock) async throws -> T
    ) async throws -> T {
        let clock = ManualWallClock(millis: SystemWallClock().nowMillis())
        let app = buildApplication(
            ServerConfiguration(port: 0, logLevel: LiveServer.logLevel), storage: storage,
            files: try DirectoryEvidenceStore(root: data + "/server/files"), credentials: Credentials(bcryptCost: 4),
            clock: clock)
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))", clock)
        }
    }

    /// The error a pull with the replica's stored token gets, if any.
    static func pullRefusal(_ replica: Replica) async throws -> TransportError? {
        let settings = try replica.settings()
        do {
            _ = try await HTTPSyncTransport(baseURL: settings.serverURL, token: settings.token).pull(
                PullRequest(cursor: 0))
            return nil
        } catch let error as TransportError {
            return error
        }
    }

    @Test(
        "admin sessions lists each device; admin revoke ends one device's or one user's sessions (401), their edits wait and go once signed in again"
    )
    func sessionsAndRevocation() async throws {
        let (storage, data) = try await LiveServer.prepare("revoke-e2e", members: LiveServer.secretariatAndMinistry)
        let serverData = data + "/server"
        let server = try await ServerProcess.start(data: serverData)
        defer { server.stop() }
        let url = server.url
        let laptop = try await Self.enrol("sara", in: data + "/laptop", on: url)
        let phone = try await Self.enrol("sara", in: data + "/phone", on: url)
        let malik = try await Self.enrol("malik", in: data + "/malik", on: url)
        let (laptopID, phoneID, malikID) = (
            try laptop.settings().replicaID, try phone.settings().replicaID, try malik.settings().replicaID
        )

        let listed = try await Self.admin(serverData, ["sessions"])
        #expect(listed.status == 0)
        let lines = listed.output.split(separator: "\n").map(String.init)
        for (device, user) in [(laptopID, "sara"), (phoneID, "sara"), (malikID, "malik")] {
            let line = lines.first { $0.hasPrefix(device + "\t") }
            #expect(line?.split(separator: "\t").map(String.init)[1] == user, "\(listed.output)")
            #expect(line?.hasSuffix("\tlive") == true, "\(listed.output)")
        }
        #expect(lines.last == "(3 sessions)")
        let onlyMalik = try await Self.admin(serverData, ["sessions", "--user", "malik"])
        #expect(onlyMalik.output.contains(malikID) && !onlyMalik.output.contains(laptopID))

        // The laptop has an edit waiting when its device is revoked.
        let logged = try await storage.operationCount()
        let waiting = try laptop.put("recommendation", fields: ["text": .text("Written on the laptop")])
        let revoked = try await Self.admin(serverData, ["revoke", "--replica", laptopID])
        #expect(revoked.status == 0)
        #expect(revoked.output.contains("revoked 1 sessions"))
        #expect(try await Self.pullRefusal(laptop)?.status == 401)
        #expect(try await Self.pullRefusal(phone) == nil)
        #expect(try await Self.run("followup", ["--replica", data + "/laptop", "sync"]).status != 0)
        #expect(try laptop.status().pending == 1)
        #expect(try laptop.row("recommendation", id: waiting) != nil)
        #expect(try await storage.operationCount() == logged)
        let afterRevoke = try await Self.admin(serverData, ["sessions", "--user", "sara"]).output
        #expect(
            afterRevoke.split(separator: "\n").contains { $0.hasPrefix(laptopID + "\t") && $0.hasSuffix("\trevoked") })

        let signedIn = try await Self.run(
            "followup", ["--replica", data + "/laptop", "login", "--password-stdin"], input: "sara-pass")
        #expect(signedIn.status == 0)
        #expect(try await Self.run("followup", ["--replica", data + "/laptop", "sync"]).status == 0)
        #expect(try laptop.status().pending == 0)
        #expect(try await storage.operationCount() == logged + 1)
        #expect(try await storage.read { try $0.state("recommendation", id: waiting) } != nil)

        // Revoking a user ends every device of theirs, and no one else's.
        let byUser = try await Self.admin(serverData, ["revoke", "--user", "malik"])
        #expect(byUser.status == 0)
        #expect(try await Self.pullRefusal(malik)?.status == 401)
        #expect(try await Self.pullRefusal(phone) == nil)
        // Neither a device nor a user named: a usage error.
        #expect(try await Self.admin(serverData, ["revoke"]).status != 0)
        #expect(try await Self.admin(serverData, ["revoke", "--replica", "no-such-device"]).status != 0)
    }

    @Test(
        "admin reset-password sets a password that works and ends every session; followup passwd refuses a wrong current password and counts it as a failed sign-in"
    )
    func passwordResetAndChange() async throws {
        let (storage, data) = try await LiveServer.prepare("password-e2e", members: LiveServer.secretariatAndMinistry)
        let serverData = data + "/server"
        // The server's clock stands still, so the sign-in throttle's wait is exact.
        try await Self.serveOnManualClock(storage, data: data) { url, clock in
            let laptop = try await Self.enrol("sara", in: data + "/laptop", on: url)
            let phone = try await Self.enrol("sara", in: data + "/phone", on: url)
            let pending = try phone.put("recommendation", fields: ["text": .text("Written on the phone")])

            // The operator resets the password: both devices are signed out, in one step.
            let reset = try await Self.admin(
                serverData, ["reset-password", "--user", "sara", "--password-stdin", "--bcrypt-cost", "4"],
                input: "a new long password")
            #expect(reset.status == 0)
            #expect(reset.output.contains("revoked 2 sessions"), "\(reset.output)")
            #expect(try await Self.pullRefusal(laptop)?.status == 401)
            #expect(try await Self.pullRefusal(phone)?.status == 401)
            let unknown = try await Self.admin(
                serverData, ["reset-password", "--user", "nobody", "--password-stdin", "--bcrypt-cost", "4"],
                input: "long enough one")
            #expect(unknown.status != 0)
            let old = try await Self.run(
                "followup", ["--replica", data + "/phone", "login", "--password-stdin"], input: "sara-pass")
            #expect(old.status != 0)
            for directory in ["/phone", "/laptop"] {
                let signedIn = try await Self.run(
                    "followup", ["--replica", data + directory, "login", "--password-stdin"],
                    input: "a new long password")
                #expect(signedIn.status == 0)
            }
            #expect(try await Self.run("followup", ["--replica", data + "/phone", "sync"]).status == 0)
            #expect(try phone.status().pending == 0)
            #expect(try phone.row("recommendation", id: pending) != nil)

            // The user changes the password on the laptop: the phone is signed out, the laptop stays.
            let changed = try await Self.run(
                "followup", ["--replica", data + "/laptop", "passwd", "--password-stdin"],
                input: "a new long password\nthe password of today")
            #expect(changed.status == 0)
            #expect(changed.output.contains("1 other sessions signed out"), "\(changed.output)")
            #expect(try await Self.pullRefusal(laptop) == nil)
            #expect(try await Self.pullRefusal(phone)?.status == 401)

            // A wrong current password is refused and changes nothing; six count as failed sign-ins,
            // so the right password then waits (429) before any check.
            for _ in 1...6 {
                let wrong = try await Self.run(
                    "followup", ["--replica", data + "/laptop", "passwd", "--password-stdin"],
                    input: "not the password\nan attacker's choice")
                #expect(wrong.status != 0)
            }
            let login = LoginRequest(user: "sara", password: "the password of today")
            let transport = HTTPSyncTransport(baseURL: url, token: nil)
            let throttled = await #expect(throws: TransportError.self) { try await transport.login(login) }
            #expect(throttled?.status == 429)
            clock.advance(by: 1_000)
            _ = try await transport.login(login)
            let attacker = LoginRequest(user: "sara", password: "an attacker's choice")
            #expect((await #expect(throws: TransportError.self) { try await transport.login(attacker) })?.status == 401)
        }
    }

    @Test(
        "an expired session gets 401 at sync; followup login signs in again and the edits made before are pushed"
    )
    func expiryThenLogin() async throws {
        let (storage, data) = try await LiveServer.prepare("expiry-e2e", members: LiveServer.secretariatAndMinistry)
        try await Self.serveOnManualClock(storage, data: data) { url, clock in
            let directory = data + "/sara"
            let replica = try await Replica.enrol(
                directory: directory, serverURL: url, user: "sara", password: "sara-pass")
            let logged = try await storage.operationCount()
            let text = "Written before the session expired"
            let id = try replica.put("recommendation", fields: ["text": .text(text)])

            // Thirty-one days unused: past the default idle limit of thirty.
            clock.advance(by: 31 * 86_400_000)
            let expired = try await Self.pullRefusal(replica)
            #expect(expired?.status == 401)
            #expect(expired?.code == .unauthorized)
            #expect(expired?.message.contains("expired") == true)
            await #expect(throws: (any Error).self) { try await followup(["--replica", directory, "sync"]) }
            #expect(try replica.status().pending == 1)
            #expect(try await storage.operationCount() == logged)

            let signedIn = try await Self.run(
                "followup", ["--replica", directory, "login", "--password-stdin"], input: "sara-pass")
            #expect(signedIn.status == 0)
            try await followup(["--replica", directory, "sync"])
            #expect(try replica.status().pending == 0)
            #expect(try await storage.operationCount() == logged + 1)
            #expect(try await storage.read { try $0.state("recommendation", id: id) }?.values["text"] == .text(text))
        }
    }
}
