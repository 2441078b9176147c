import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

@testable import Client

/// Confidential submissions sealed end to end: the server, its files and logs hold ciphertext
/// only; the NHRI's replicas with its private key read them, no one else does.
@Suite("Sealed confidential submissions, end to end")
struct SealedSubmissionTests {
    static let members = [
        LiveServer.Member(org: "nmirf", kind: .secretariat, user: "sara"),
        LiveServer.Member(org: "nhri", kind: .nhri, user: "nadia"),
        LiveServer.Member(org: "ngo-watch", kind: .ngo, user: "omar"),
    ]

    /// Every file under `directory`, recursively, with its bytes.
    static func files(under directory: String) throws -> [(path: String, bytes: Data)] {
        let manager = FileManager.default
        guard let paths = manager.enumerator(atPath: directory)?.allObjects as? [String] else { return [] }
        return try paths.compactMap { relative in
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return nil
            }
            return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    /// The files under `directory` whose bytes hold `needle`.
    static func filesHolding(_ needle: String, under directory: String) throws -> [String] {
        try files(under: directory).filter { $0.bytes.range(of: Data(needle.utf8)) != nil }.map(\.path)
    }

    /// The text column of submission `id` as the server's database stores it.
    static func storedText(_ id: String, server data: String) throws -> String? {
        let queue = try DatabaseQueue(path: data + "/server/" + SQLiteServerStorage.fileName)
        return try queue.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM submission WHERE id = ?", arguments: [id])
        }
    }

    /// A server process logging at trace level over `members` and a second NHRI user, `nour`
    /// (a new device without the keys); answers it and the test's data directory.
    static func startTracing(_ name: String, members: [LiveServer.Member]) async throws -> (ServerProcess, String) {
        let (storage, data) = try await LiveServer.prepare(name, members: members)
        try await storage.addUser(
            name: "nour", org: "nhri", passwordHash: try await Credentials(bcryptCost: 4).hashPassword("nour-pass"))
        return (try await ServerProcess.start(data: data + "/server", environment: ["LOG_LEVEL": "trace"]), data)
    }

    @Test(
        "the server's database, WAL and logs never hold a confidential text; the NHRI reads it, its author re-reads it, others cannot"
    )
    func serverHoldsCiphertextOnly() async throws {
        let (server, data) = try await Self.startTracing("sealed-e2e", members: Self.members)
        defer { server.stop() }
        func enrol(_ user: String) async throws -> Replica {
            try await Replica.enrol(
                directory: data + "/" + user, serverURL: server.url, user: user, password: "\(user)-pass")
        }
        let secret = "Witness W-7731 was threatened outside the Kenitra courthouse"
        let sara = try await enrol("sara")
        let rec = try sara.put("recommendation", fields: ["text": .text("Protect witnesses")])
        _ = try await sara.syncWithServer()

        // The NGO files before the NHRI has a key on the server: the edit waits, unsent.
        let omar = try await enrol("omar")
        _ = try await omar.syncWithServer()
        let submission = try omar.addSubmission(NewSubmission(recommendation: rec, text: secret, confidential: true))
        #expect(try omar.status().waitingForKeys == 1)
        let early = try await omar.syncWithServer()
        #expect(early.report.sealingBlock == .missingKey(org: "nhri") || early.report.sealingBlock == .noNHRI)
        #expect(try omar.status().waitingForKeys == 1)
        #expect(try Self.storedText(submission, server: data) == nil)

        // The NHRI's first replica made its key pair at init and publishes it at its first sync.
        let nadia = try await enrol("nadia")
        _ = try await nadia.syncWithServer()
        let sealedNow = try await omar.syncWithServer()
        #expect(sealedNow.report.sealed == 1)
        #expect(try omar.status().pending == 0)
        let stored = try #require(try Self.storedText(submission, server: data))
        let envelope = try #require(SealedText(value: stored))
        #expect(envelope.recipients.count == 2)

        // The NHRI reads it, the NGO re-reads its own, the secretariat never receives it.
        _ = try await nadia.syncWithServer()
        #expect(try nadia.row("submission", id: submission)?["text"] == .text(secret))
        #expect(try nadia.workItems(in: ["submission"]).first?.summary == secret)
        #expect(try omar.row("submission", id: submission)?["text"] == .text(secret))
        _ = try await sara.syncWithServer()
        #expect(try sara.row("submission", id: submission) == nil)

        // A new NHRI device holds the row but cannot open it until the key file is imported.
        let nour = try await enrol("nour")
        _ = try await nour.syncWithServer()
        #expect(try nour.row("submission", id: submission)?["text"] == .text(stored))
        #expect(try nour.organisationKeys().first { $0.org == "nhri" }?.privateKeyHere == false)
        let keyFile = try nadia.exportKeys(passphrase: "correct horse battery staple")
        #expect(keyFile.range(of: Data(secret.utf8)) == nil)
        #expect(throws: ReplicaError.self) { try nour.importKeys(keyFile, passphrase: "wrong") }
        #expect(try nour.row("submission", id: submission)?["text"] == .text(stored))
        #expect(try nour.importKeys(keyFile, passphrase: "correct horse battery staple") == 1)
        #expect(try nour.row("submission", id: submission)?["text"] == .text(secret))
        #expect(try nour.submissions(matching: "Kenitra").map(\.id) == [submission])

        // The server's files, while it runs (WAL included) and after it stops: ciphertext only.
        let words = ["W-7731", "Kenitra courthouse", secret]
        for word in words { #expect(try Self.filesHolding(word, under: data + "/server").isEmpty, "\(word)") }
        server.stop()
        let serverFiles = try Self.files(under: data + "/server").map(\.path)
        #expect(serverFiles.contains { $0.hasSuffix(".log") })
        #expect(serverFiles.contains { $0.hasSuffix(".sqlite") })
        for word in words { #expect(try Self.filesHolding(word, under: data + "/server").isEmpty, "\(word)") }
        #expect(try !Self.filesHolding(SealedText.prefix, under: data + "/server").isEmpty)
    }

    @Test("a changed NHRI key blocks sealing until trusted; after rotation old and new submissions stay readable")
    func changedKeyAndRotation() async throws {
        try await LiveServer.run("sealed-rotation", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            let first = try #require(try nadia.organisationKeys().first { $0.org == "nhri" })
            #expect(try omar.organisationKeys().first { $0.org == "nhri" } == first.with(privateKeyHere: false))

            let old = try omar.put(
                "submission", fields: ["text": .text("Defender D1 was followed"), "confidential": .bool(true)])
            #expect(try omar.status().waitingForKeys == 0)
            _ = try await omar.syncWithServer()

            // The NHRI rotates: its replicas keep the old private key; the NGO sees a changed key.
            let rotated = try nadia.rotateKey()
            _ = try await nadia.syncWithServer()
            let synced = try await omar.syncWithServer()
            #expect(synced.report.changedKeys == ["nhri"])
            #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.trust == .changed)
            let new = try omar.put(
                "submission", fields: ["text": .text("Defender D2 was detained"), "confidential": .bool(true)])
            #expect(try omar.status().waitingForKeys == 1)
            let blocked = try await omar.syncWithServer()
            guard case .changedKey(let org, let pinned, let current) = blocked.report.sealingBlock else {
                Issue.record("expected a changed key, got \(String(describing: blocked.report.sealingBlock))")
                return
            }
            #expect(org == "nhri" && pinned == first.fingerprint && current == rotated.fingerprint)
            #expect(throws: ReplicaError.self) { try omar.trustKey(org: "nhri", fingerprint: first.fingerprint) }

            // Trusted after an out-of-band check, the new key seals what waited.
            try omar.trustKey(org: "nhri", fingerprint: OrganisationPublicKey.display(rotated.fingerprint))
            #expect(try await omar.syncWithServer().report.sealed == 1)
            _ = try await nadia.syncWithServer()
            #expect(try nadia.row("submission", id: old)?["text"] == .text("Defender D1 was followed"))
            #expect(try nadia.row("submission", id: new)?["text"] == .text("Defender D2 was detained"))
            let sealedOld = try #require(try Self.raw(omar, old).flatMap(SealedText.init(value:)))
            let sealedNew = try #require(try Self.raw(omar, new).flatMap(SealedText.init(value:)))
            #expect(sealedOld.fingerprints.contains(first.fingerprint))
            #expect(sealedNew.fingerprints.contains(rotated.fingerprint))
            #expect(!sealedNew.fingerprints.contains(first.fingerprint))
        }
    }

    @Test("the CLI shows fingerprints, moves the NHRI's keys to a new device and searches the opened texts")
    func commandLine() async throws {
        let (storage, data) = try await LiveServer.prepare("sealed-cli", members: Self.members)
        try await storage.addUser(
            name: "nour", org: "nhri", passwordHash: try await Credentials(bcryptCost: 4).hashPassword("nour-pass"))
        let server = try await ServerProcess.start(data: data + "/server")
        defer { server.stop() }
        func followup(_ user: String, _ arguments: String..., input: String? = nil) throws -> (Int32, String) {
            try Self.followup(data, user, arguments, input: input)
        }
        #expect(try Self.initialise(["sara", "nadia", "omar", "nour"], data: data, url: server.url))
        for user in ["sara", "nadia", "omar", "nour"] { #expect(try followup(user, "sync").0 == 0) }
        let rec = try #require(
            try followup("sara", "put", "recommendation", "text=Protect witnesses").1.split(separator: "\n").first)
        _ = try followup("sara", "sync")
        _ = try followup("omar", "sync")
        #expect(
            try followup(
                "omar", "submissions", "add", "--rec", String(rec), "--text", "Witness W-5120 fears reprisals",
                "--confidential"
            ).0 == 0)
        _ = try followup("omar", "sync")
        for user in ["nadia", "nour"] { _ = try followup(user, "sync") }

        // Both sides print the same fingerprint, to compare out of band.
        let nadia = try Replica(directory: data + "/nadia")
        let fingerprint = try #require(try nadia.organisationKeys().first { $0.org == "nhri" }?.fingerprint)
        let shown = OrganisationPublicKey.display(fingerprint)
        #expect(try followup("nadia", "keys").1.contains("nhri (nhri)  \(shown)  trusted, private key here"))
        #expect(try followup("omar", "key", "list").1.contains("nhri (nhri)  \(shown)  trusted"))

        // The new device holds the row sealed; after importing the key file it searches the text.
        #expect(try followup("nour", "submissions", "list").1.contains("[sealed: this replica lacks the key]"))
        #expect(try followup("nour", "submissions", "list", "--search", "reprisals").1.isEmpty)
        let file = data + "/nhri.keys"
        #expect(
            try followup("nadia", "keys", "export", "--out", file, "--passphrase-stdin", input: "a long passphrase").0
                == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        #expect(try followup("nour", "keys", "import", file, "--passphrase-stdin", input: "not it").0 != 0)
        #expect(try followup("nour", "keys", "import", file, "--passphrase-stdin", input: "a long passphrase").0 == 0)
        let found = try followup("nour", "submissions", "list", "--search", "REPRISALS").1
        #expect(found.contains("Witness W-5120 fears reprisals") && found.contains("[confidential]"))
        #expect(try followup("sara", "submissions", "list").1.isEmpty)
    }

    @Test("the server refuses a confidential text pushed in clear, by a client that does not seal")
    func serverRefusesClearText() async throws {
        try await LiveServer.run("sealed-refusal", members: Self.members) { server in
            let omar = try await Account(user: "omar", org: "ngo-watch", url: server.url)
            let logged = try await server.storage.operationCount()
            let clear = try await omar.write(
                "submission", UUIDv7.make(), ["text": .text("Witness W9 in clear"), "confidential": .bool(true)])
            #expect(clear.code == .invalidValue)
            // Made confidential, an open submission must carry its text sealed.
            let open = try await omar.create("submission", ["text": .text("Prison report")])
            #expect(try await omar.write("submission", open, ["confidential": .bool(true)]).code == .invalidValue)
            let sealed = try await omar.write(
                "submission", open, ["confidential": .bool(true), "text": .text(SealedText.sample("Prison report"))])
            #expect(sealed.status == .accepted)
            #expect(try await omar.write("submission", open, ["text": .text("Edited in clear")]).code == .invalidValue)
            #expect(try await server.storage.operationCount() == logged + 2)
        }
    }

    @Test("a user moved to another organisation leaves the old one's private keys behind")
    func movedUserDropsKeys() async throws {
        let members = Self.members + [LiveServer.Member(org: "ngo-b", kind: .ngo, user: "bea")]
        try await LiveServer.run("sealed-move", members: members) { server in
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            #expect(try omar.organisationKeys().first { $0.org == "ngo-watch" }?.privateKeyHere == true)
            try await server.storage.moveUser(name: "omar", org: "ngo-b")
            _ = try await omar.syncWithServer()
            let keys = try omar.organisationKeys()
            #expect(keys.first { $0.org == "ngo-watch" }?.privateKeyHere == false)
            // ngo-b had no key: the moved replica made one and published it as ngo-b's.
            #expect(keys.first { $0.org == "ngo-b" }?.privateKeyHere == true)
        }
    }

    /// `followup ARGUMENTS` on `user`'s replica under `data`: its exit status and standard output.
    static func followup(_ data: String, _ user: String, _ arguments: [String], input: String? = nil) throws -> (
        Int32, String
    ) {
        let result = try Executables.run("followup", ["--replica", data + "/" + user] + arguments, input: input)
        return (result.status, result.output)
    }

    /// Whether `followup init` made each of `users`' replicas under `data` (password `USER-pass`).
    static func initialise(_ users: [String], data: String, url: String) throws -> Bool {
        try users.allSatisfy { user in
            try followup(
                data, user, ["init", "--server", url, "--user", user, "--password-stdin"], input: "\(user)-pass"
            ).0 == 0
        }
    }

    /// The stored (sealed) text of submission `id` on `replica`.
    static func raw(_ replica: Replica, _ id: String) throws -> String? {
        try replica.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM submission WHERE id = ?", arguments: [id])
        }
    }
}

extension OrganisationKeyInfo {
    fileprivate func with(privateKeyHere: Bool) -> OrganisationKeyInfo {
        var copy = self
        copy.privateKeyHere = privateKeyHere
        return copy
    }
}
