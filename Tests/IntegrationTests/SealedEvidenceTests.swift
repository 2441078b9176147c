import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

@testable import Client

/// The evidence files of confidential submissions sealed end to end: the server's database,
/// WAL, log and files folder hold neither their bytes nor their names; the NHRI and the author
/// open them, no one else receives them, and a replica without the private key cannot open them.
@Suite("Sealed evidence files of confidential submissions, end to end")
struct SealedEvidenceTests {
    static let members = [
        LiveServer.Member(org: "nmirf", kind: .secretariat, user: "sara"),
        LiveServer.Member(org: "nhri", kind: .nhri, user: "nadia"),
        LiveServer.Member(org: "ngo-watch", kind: .ngo, user: "omar"),
        LiveServer.Member(org: "moj", kind: .ministry, user: "malik"),
        LiveServer.Member(org: "ngo-other", kind: .ngo, user: "olga"),
    ]

    /// A document whose every part is findable: a marker phrase, then random bytes.
    static func document(_ marker: String, bytes count: Int = 60_000) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data("%PDF-1.7\n\(marker)\n".utf8)
            + Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The attachment row `id` as the server's database stores it.
    static func storedAttachment(_ id: String, server data: String) throws -> [String: String] {
        let queue = try DatabaseQueue(path: data + "/server/" + SQLiteServerStorage.fileName)
        return try queue.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT content_hash, file_name, media_type FROM attachment WHERE id = ?",
                    arguments: [id])
            else { return [:] }
            return ["content_hash": row[0], "file_name": row[1], "media_type": row[2]]
        }
    }

    @Test(
        "the server's database, WAL, log and files folder never hold a confidential file or its name; the NHRI and the author open it, others never receive it"
    )
    func serverHoldsSealedFilesOnly() async throws {
        let (server, data) = try await SealedSubmissionTests.startTracing("sealed-files-e2e", members: Self.members)
        defer { server.stop() }
        func enrol(_ user: String) async throws -> Replica {
            try await Replica.enrol(
                directory: data + "/" + user, serverURL: server.url, user: user, password: "\(user)-pass")
        }
        let marker = "Statement of witness W-8842 on the beating in Sale prison"
        let name = "W-8842-statement-Sale-prison.pdf"
        let plaintext = Self.document(marker)
        let sara = try await enrol("sara")
        let rec = try sara.put("recommendation", fields: ["text": .text("Protect witnesses")])
        _ = try await sara.syncWithServer()

        // The NGO attaches the file before the NHRI has a key on the server: it waits, unsent.
        let omar = try await enrol("omar")
        _ = try await omar.syncWithServer()
        let submission = try omar.addSubmission(
            NewSubmission(recommendation: rec, text: "Reprisals against W-8842", confidential: true))
        let attached = try omar.attach(try EvidenceFileTests.file(plaintext, named: name, in: data), to: submission)
        #expect(attached.hash == ContentHash.of(plaintext))
        #expect(try omar.status().waitingForKeys == 2)
        let early = try await omar.syncWithServer()
        #expect(early.report.filesUploaded == 0)
        #expect(try omar.status().waitingForKeys == 2)
        #expect(try Self.storedAttachment(attached.id, server: data).isEmpty)
        #expect(try SealedSubmissionTests.files(under: data + "/server/files").isEmpty)

        // Once the NHRI's first replica has published its key, the file is sealed and sent.
        let nadia = try await enrol("nadia")
        _ = try await nadia.syncWithServer()
        let sent = try await omar.syncWithServer()
        #expect(sent.report.sealed == 2)
        #expect(sent.report.filesUploaded == 1)
        #expect(try omar.status().pending == 0)
        let stored = try Self.storedAttachment(attached.id, server: data)
        let sealedHash = try #require(stored["content_hash"])
        #expect(sealedHash != ContentHash.of(plaintext))
        #expect(SealedText.isSealed(try #require(stored["file_name"])))
        #expect(SealedText.isSealed(try #require(stored["media_type"])))
        let serverFile = data + "/server/files/\(sealedHash.prefix(2))/\(sealedHash)"
        let sealedBytes = try Data(contentsOf: URL(fileURLWithPath: serverFile))
        #expect(SealedFile(bytes: sealedBytes)?.fingerprints.count == 2)

        // The NHRI opens it, the NGO re-opens its own; the CLI writes it out under its name.
        _ = try await nadia.syncWithServer()
        let opened = try nadia.openedAttachment(attached.id)
        #expect(
            opened == OpenedEvidence(fileName: name, mediaType: "application/pdf", bytes: plaintext, wasSealed: true))
        #expect(try nadia.row("attachment", id: attached.id)?["file_name"] == .text(name))
        #expect(try omar.openedAttachment(attached.id).bytes == plaintext)
        let out = data + "/opened.pdf"
        try await followup(["--replica", data + "/nadia", "open", attached.id, "--out", out])
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == plaintext)

        // A ministry and another NGO never receive the attachment nor its bytes.
        for user in ["malik", "olga", "sara"] {
            let other = user == "sara" ? sara : try await enrol(user)
            _ = try await other.syncWithServer()
            #expect(try other.row("attachment", id: attached.id) == nil, "\(user)")
            #expect(!FileManager.default.fileExists(atPath: data + "/\(user)/files/\(sealedHash)"), "\(user)")
        }

        // A new NHRI device receives the row but cannot open it until the key file is imported.
        let nour = try await enrol("nour")
        _ = try await nour.syncWithServer()
        #expect(try nour.isSealedAttachment(attached.id))
        let refused = #expect(throws: ReplicaError.self) { _ = try nour.openedAttachment(attached.id) }
        #expect(refused?.code == .sealed)
        let denied = out + ".nour"
        await #expect(throws: ReplicaError.self) { try await nour.writeAttachment(attached.id, to: denied) }
        #expect(!FileManager.default.fileExists(atPath: denied))
        #expect(
            try nour.importKeys(
                nadia.exportKeys(passphrase: "long passphrase here"), passphrase: "long passphrase here") == 1)
        #expect(try nour.openedAttachment(attached.id).bytes == plaintext)

        // The server's files, while it runs (WAL included) and after it stops: sealed only.
        let words = [marker, name, "W-8842-statement", "Sale-prison"]
        func check() throws {
            for word in words {
                #expect(try SealedSubmissionTests.filesHolding(word, under: data + "/server").isEmpty, "\(word)")
            }
            let held = try SealedSubmissionTests.files(under: data + "/server")
            #expect(!held.contains { $0.bytes.range(of: plaintext.suffix(4_096)) != nil })
        }
        try check()
        server.stop()
        let serverFiles = try SealedSubmissionTests.files(under: data + "/server").map(\.path)
        #expect(serverFiles.contains { $0.hasSuffix(".log") })
        #expect(serverFiles.contains { $0.hasSuffix(".sqlite") })
        #expect(serverFiles.contains { $0.hasSuffix(sealedHash) })
        try check()
    }

    @Test("the server refuses an attachment of a confidential submission whose file, name or media type is in clear")
    func serverRefusesClearAttachment() async throws {
        try await LiveServer.run("sealed-files-refused", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            let submission = try omar.put(
                "submission", fields: ["text": .text("Defender D4 detained"), "confidential": .bool(true)])
            _ = try await omar.syncWithServer()
            let account = try await Account(user: "omar", org: "ngo-watch", url: server.url)
            let recipients = try await omar.writer.write { db in try Replica.sealingRecipients(db) }.get()

            func upload(_ bytes: Data) async throws -> String {
                let hash = ContentHash.of(bytes)
                _ = try await account.transport.uploadFile(
                    hash, bytes: bytes, offset: 0, length: Int64(bytes.count))
                return hash
            }
            func sealedText(_ text: String, _ row: String, _ column: String) throws -> FieldValue {
                .text(
                    try SealedText.seal(
                        text, to: recipients,
                        binding: SealedText.binding(table: "attachment", row: row, column: column)
                    ).value)
            }
            let clear = Self.document("Clear statement of D4", bytes: 2_000)
            let clearHash = try await upload(clear)
            let row = UUIDv7.make()
            let sealed = try SealedFile.seal(clear, to: recipients, binding: SealedFile.binding(attachment: row)).bytes
            let sealedHash = try await upload(sealed)
            func fields(_ hash: String, _ size: Int, name: FieldValue, type: FieldValue) -> [String: FieldValue] {
                [
                    "content_hash": .text(hash), "size": .integer(Int64(size)), "file_name": name, "media_type": type,
                    "parent_table": .text("submission"), "parent_id": .text(submission),
                ]
            }
            let name = try sealedText("d4.pdf", row, "file_name")
            let type = try sealedText("application/pdf", row, "media_type")
            // Clear bytes with a sealed name; a sealed file with its name or media type in clear.
            for refused in [
                fields(clearHash, clear.count, name: name, type: type),
                fields(sealedHash, sealed.count, name: .text("d4.pdf"), type: type),
                fields(sealedHash, sealed.count, name: name, type: .text("application/pdf")),
            ] {
                let verdict = try await account.write("attachment", row, refused)
                #expect(verdict.status == .rejected)
                #expect(verdict.code == .invalidValue)
                #expect(verdict.message?.contains("§19") == true)
            }
            let accepted = try await account.write(
                "attachment", row, fields(sealedHash, sealed.count, name: name, type: type))
            #expect(accepted.status == .accepted)
            // Later edits of the attachment cannot put its name in clear either.
            let rename = try await account.write("attachment", row, ["file_name": .text("d4-final.pdf")])
            #expect(rename.code == .invalidValue)
            // The same clear file attached to a submission that is not confidential is accepted.
            let open = try omar.put("submission", fields: ["text": .text("Public hearing held")])
            _ = try await omar.syncWithServer()
            let verdict = try await account.write(
                "attachment", UUIDv7.make(),
                [
                    "content_hash": .text(clearHash), "size": .integer(Int64(clear.count)),
                    "file_name": .text("hearing.pdf"), "parent_table": .text("submission"), "parent_id": .text(open),
                ])
            #expect(verdict.status == .accepted)
            // And the NHRI opens the file that was accepted sealed.
            _ = try await nadia.syncWithServer()
            #expect(try nadia.openedAttachment(row).bytes == clear)
            #expect(try nadia.openedAttachment(row).fileName == "d4.pdf")
        }
    }

    @Test("after the NHRI rotates its key, a file sealed to the old key still opens and new files use the new key")
    func rotation() async throws {
        try await LiveServer.run("sealed-files-rotation", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            let first = try #require(try nadia.organisationKeys().first { $0.org == "nhri" })
            let submission = try omar.put(
                "submission", fields: ["text": .text("Defender D5 followed"), "confidential": .bool(true)])
            let oldBytes = Self.document("old statement of D5")
            let old = try omar.attach(
                try EvidenceFileTests.file(oldBytes, named: "old.pdf", in: server.data), to: submission)
            _ = try await omar.syncWithServer()

            let rotated = try nadia.rotateKey()
            _ = try await nadia.syncWithServer()
            _ = try await omar.syncWithServer()
            let newBytes = Self.document("new statement of D5")
            let new = try omar.attach(
                try EvidenceFileTests.file(newBytes, named: "new.pdf", in: server.data), to: submission)
            #expect(try omar.status().waitingForKeys == 1)
            try omar.trustKey(org: "nhri", fingerprint: rotated.fingerprint)
            let synced = try await omar.syncWithServer()
            #expect(synced.report.sealed == 1 && synced.report.filesUploaded == 1)

            _ = try await nadia.syncWithServer()
            #expect(try nadia.openedAttachment(old.id).bytes == oldBytes)
            #expect(try nadia.openedAttachment(new.id).bytes == newBytes)
            func fingerprints(_ id: String) throws -> [String] {
                let path = try #require(try omar.evidencePath(ofAttachment: id))
                return try #require(SealedFile(bytes: Data(contentsOf: URL(fileURLWithPath: path)))).fingerprints
            }
            #expect(try fingerprints(old.id).contains(first.fingerprint))
            #expect(try fingerprints(new.id).contains(rotated.fingerprint))
            #expect(try !fingerprints(new.id).contains(first.fingerprint))
        }
    }

    @Test(
        "a submission made confidential has its files sealed again by its author, the NHRI opens them, and made public again they reach a ministry opened"
    )
    func madeConfidential() async throws {
        try await LiveServer.run("sealed-files-later", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            let submission = try omar.put("submission", fields: ["text": .text("Detention visits stopped")])
            let bytes = Self.document("visit log")
            let attached = try omar.attach(
                try EvidenceFileTests.file(bytes, named: "visits.pdf", in: server.data), to: submission)
            _ = try await omar.syncWithServer()
            #expect(try Self.storedAttachment(attached.id, server: server.data)["file_name"] == "visits.pdf")

            try omar.put("submission", id: submission, fields: ["confidential": .bool(true)])
            let synced = try await omar.syncWithServer()
            #expect(synced.report.sealed == 1)
            #expect(try omar.status().pending == 0)
            let stored = try Self.storedAttachment(attached.id, server: server.data)
            #expect(SealedText.isSealed(try #require(stored["file_name"])))
            #expect(stored["content_hash"] != ContentHash.of(bytes))
            _ = try await nadia.syncWithServer()
            #expect(try nadia.openedAttachment(attached.id).bytes == bytes)
            #expect(try nadia.openedAttachment(attached.id).fileName == "visits.pdf")

            // An attachment moved onto the confidential submission is sealed as it moves.
            let other = try omar.put("submission", fields: ["text": .text("Visits resumed")])
            let minutes = Self.document("minutes of the visit")
            let moved = try omar.attach(
                try EvidenceFileTests.file(minutes, named: "minutes.pdf", in: server.data), to: other)
            _ = try await omar.syncWithServer()
            try omar.put("attachment", id: moved.id, fields: ["parent_id": .text(submission)])
            _ = try await omar.syncWithServer()
            #expect(try omar.status().pending == 0)
            #expect(
                SealedText.isSealed(try #require(Self.storedAttachment(moved.id, server: server.data)["file_name"])))
            _ = try await nadia.syncWithServer()
            #expect(try nadia.openedAttachment(moved.id).bytes == minutes)

            // Made public again, the file is opened by its author and reaches a ministry in clear.
            try omar.put("submission", id: submission, fields: ["confidential": .bool(false)])
            #expect(try await omar.syncWithServer().report.sealed == 2)
            #expect(try Self.storedAttachment(attached.id, server: server.data)["file_name"] == "visits.pdf")
            #expect(
                try Self.storedAttachment(attached.id, server: server.data)["content_hash"] == ContentHash.of(bytes))
            let malik = try await server.enrol("malik")
            _ = try await malik.syncWithServer()
            #expect(
                try malik.openedAttachment(attached.id)
                    == OpenedEvidence(
                        fileName: "visits.pdf", mediaType: "application/pdf", bytes: bytes, wasSealed: false))
            // A later sync of the author changes nothing more.
            #expect(try await omar.syncWithServer().report.sealed == 0)
        }
    }
}
