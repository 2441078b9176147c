import Client
import Foundation
import Server
import Shared
import TestSupport
import Testing

/// Evidence files through the real HTTP server: stored once by content hash, uploaded and
/// downloaded in resumable pieces, read only by those who may read an attachment naming them.
@Suite("Evidence files: upload, download, visibility, limits and purges, over HTTP")
struct EvidenceFileTests {
    static let members = [
        LiveServer.Member(org: "nmirf", kind: .secretariat, user: "sara"),
        LiveServer.Member(org: "moj", kind: .ministry, user: "malik"),
        LiveServer.Member(org: "nhri", kind: .nhri, user: "nadia"),
        LiveServer.Member(org: "ngo-a", kind: .ngo, user: "omar"),
    ]

    /// `count` bytes that differ from test to test.
    static func bytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Writes `bytes` to a new file named `name` under `data`; answers its path.
    static func file(_ bytes: Data, named name: String, in data: String) throws -> String {
        let path = data + "/" + name
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A recommendation the secretariat records and syncs; answers its id.
    static func recommendation(_ server: LiveServer, assignedTo org: String? = nil) async throws -> String {
        let sara = server.data + "/sara"
        if !FileManager.default.fileExists(atPath: sara) { _ = try await server.enrol("sara") }
        try await followup(["--replica", sara, "sync"])
        let rec = try Replica(directory: sara).put("recommendation", fields: ["text": .text("Ratify OPCAT")])
        if let org { try await followup(["--replica", sara, "assign", rec, "--to", org, "--lead"]) }
        try await followup(["--replica", sara, "sync"])
        return rec
    }

    /// The NGO's replica, synced, with a new submission on a recommendation of the
    /// secretariat; answers the replica and the submission's id.
    static func ngoSubmission(_ server: LiveServer, _ text: String, confidential: Bool = false) async throws -> (
        Replica, String
    ) {
        let rec = try await recommendation(server)
        if confidential {
            // A confidential text is sealed to the NHRI's key: its first replica publishes it.
            _ = try await server.enrol("nadia").syncWithServer()
        }
        let ngo = try await server.enrol("omar")
        try await followup(["--replica", server.data + "/omar", "sync"])
        let submission = try ngo.addSubmission(
            NewSubmission(recommendation: rec, text: text, confidential: confidential))
        return (ngo, submission)
    }

    @Test("a file attached offline is uploaded at sync, reaches a reader of its parent, and opens byte-identical")
    func roundTrip() async throws {
        try await LiveServer.run("evidence-round-trip", members: Self.members) { server in
            let rec = try await Self.recommendation(server, assignedTo: "moj")
            let ministry = try await server.enrol("malik")
            try await followup(["--replica", server.data + "/malik", "sync"])
            let action = try ministry.put(
                "action", fields: ["title": .text("Draft the bill"), "recommendation_id": .text(rec)])
            let progress = try ministry.reportProgress(NewProgressUpdate(action: action, narrative: "Bill drafted"))
            let bytes = Self.bytes(300_000)
            let hash = ContentHash.of(bytes)
            let path = try Self.file(bytes, named: "Report 2027.PDF", in: server.data)
            try await followup(["--replica", server.data + "/malik", "attach", "progress_update:\(progress)", path])
            let attachment = try #require(try ministry.attachments(of: progress).first)
            #expect(attachment.values["content_hash"] == .text(hash))
            #expect(attachment.values["size"] == .integer(300_000))
            #expect(attachment.values["media_type"] == .text("application/pdf"))
            #expect(attachment.values["file_name"] == .text("Report 2027.PDF"))
            #expect(try server.files.completeSize(hash) == nil)

            let pushed = try await ministry.syncWithServer()
            #expect(pushed.report.filesUploaded == 1)
            #expect(pushed.report.rejected == 0)
            #expect(try server.files.completeSize(hash) == 300_000)

            // The secretariat reads the draft progress update: its replica fetches the file,
            // resuming a download cut after 100 000 bytes.
            let sara = server.data + "/sara"
            try FileManager.default.createDirectory(atPath: sara + "/files", withIntermediateDirectories: true)
            try bytes.prefix(100_000).write(to: URL(fileURLWithPath: sara + "/files/\(hash).part"))
            let pulled = try await Replica(directory: sara).syncWithServer()
            #expect(pulled.report.filesDownloaded == 1)
            #expect(try Data(contentsOf: URL(fileURLWithPath: sara + "/files/\(hash)")) == bytes)
            #expect(!FileManager.default.fileExists(atPath: sara + "/files/\(hash).part"))
            let out = server.data + "/opened.pdf"
            try await followup(["--replica", sara, "open", attachment.id, "--out", out])
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == bytes)

            // A replica that lacks the bytes downloads them when the file is opened.
            try FileManager.default.removeItem(atPath: sara + "/files/\(hash)")
            try await Replica(directory: sara).writeAttachment(attachment.id, to: out + ".again")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + ".again")) == bytes)

            // A second attachment of the same bytes stores nothing new.
            _ = try ministry.attach(path, to: action)
            #expect(try await ministry.syncWithServer().report.filesUploaded == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: server.data + "/malik/files") == [hash])
        }
    }

    @Test("a confidential submission's file reaches the NHRI and is never given to a ministry")
    func confidentialFile() async throws {
        try await LiveServer.run("evidence-confidential", members: Self.members) { server in
            let (ngo, submission) = try await Self.ngoSubmission(server, "Witness W1 reports", confidential: true)
            let bytes = Self.bytes(50_000)
            let evidence = try ngo.attach(try Self.file(bytes, named: "witness.docx", in: server.data), to: submission)
            let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            #expect(evidence.mediaType == docx)
            // The file travels sealed (protocol §19): the server names it by the sealed bytes' hash.
            let hash = evidence.hash
            #expect(hash != ContentHash.of(bytes))
            _ = try await ngo.syncWithServer()

            let nhri = try Replica(directory: server.data + "/nadia")
            #expect(try await nhri.syncWithServer().report.filesDownloaded == 1)
            #expect(
                try nhri.openedAttachment(evidence.id)
                    == OpenedEvidence(fileName: "witness.docx", mediaType: docx, bytes: bytes, wasSealed: true))

            let ministry = try await server.enrol("malik")
            let synced = try await ministry.syncWithServer()
            #expect(synced.report.filesDownloaded == 0)
            #expect(try ministry.row("attachment", id: evidence.id) == nil)
            #expect(!FileManager.default.fileExists(atPath: server.data + "/malik/files/\(hash)"))
            for (user, org) in [("malik", "moj"), ("sara", "nmirf")] {
                let account = try await Account(user: user, org: org, url: server.url)
                let refused = await #expect(throws: TransportError.self) {
                    _ = try await account.transport.downloadFile(hash, from: 0, count: 1_000)
                }
                #expect(refused?.code == .notFound)
                #expect(refused?.status == 404)
                // Nor does asking how much the server holds tell it has the file.
                #expect(try await account.transport.fileOffset(hash) == FileUploadResponse(offset: 0, complete: false))
            }
            // Naming the file in an attachment of its own does not open it either.
            let ministryAccount = try await Account(user: "malik", org: "moj", url: server.url)
            let verdict = try await ministryAccount.write(
                "attachment", UUIDv7.make(), ["content_hash": .text(hash), "size": .integer(50_000)])
            #expect(verdict.code == .fileNotUploaded)
        }
    }

    @Test("a cut upload resumes from the bytes the server holds; a wrong hash is refused and discarded")
    func resumedUpload() async throws {
        try await LiveServer.run("evidence-resume", members: Self.members) { server in
            let account = try await Account(user: "malik", org: "moj", url: server.url)
            let transport = account.transport
            let bytes = Self.bytes(1_000_000)
            let hash = ContentHash.of(bytes)
            let half = try await transport.uploadFile(hash, bytes: bytes.prefix(400_000), offset: 0, length: 1_000_000)
            #expect(half == FileUploadResponse(offset: 400_000, complete: false))
            #expect(try await transport.fileOffset(hash) == FileUploadResponse(offset: 400_000, complete: false))
            #expect(try server.files.completeSize(hash) == nil)
            let wrongOffset = await #expect(throws: TransportError.self) {
                _ = try await transport.uploadFile(hash, bytes: bytes, offset: 0, length: 1_000_000)
            }
            #expect(wrongOffset?.code == .offsetMismatch)
            #expect(wrongOffset?.status == 409)
            let rest = try await transport.uploadFile(
                hash, bytes: bytes.suffix(from: 400_000), offset: 400_000, length: 1_000_000)
            #expect(rest == FileUploadResponse(offset: 1_000_000, complete: true))
            #expect(try server.files.completeSize(hash) == 1_000_000)

            // Bytes that do not hash to the name they were sent under are thrown away.
            let other = Self.bytes(10_000)
            let misnamed = ContentHash.of(Self.bytes(10_000))
            let refused = await #expect(throws: TransportError.self) {
                _ = try await transport.uploadFile(misnamed, bytes: other, offset: 0, length: 10_000)
            }
            #expect(refused?.code == .hashMismatch)
            #expect(try server.files.completeSize(misnamed) == nil)
            #expect(try server.files.receivedBytes(misnamed, uploader: "moj") == 0)

            // A replica's sync resumes an upload cut halfway, from what the server says it holds.
            let (ngo, submission) = try await Self.ngoSubmission(server, "Prison report")
            let report = Self.bytes(200_000)
            let reportHash = ContentHash.of(report)
            let evidence = try ngo.attach(try Self.file(report, named: "prison.jpg", in: server.data), to: submission)
            let omar = try await Account(user: "omar", org: "ngo-a", url: server.url)
            _ = try await omar.transport.uploadFile(
                reportHash, bytes: report.prefix(120_000), offset: 0, length: 200_000)
            let synced = try await ngo.syncWithServer()
            #expect(synced.report.filesUploaded == 1)
            #expect(synced.report.rejected == 0)
            #expect(try server.files.completeSize(reportHash) == 200_000)
            // Ranges of the file can be fetched by a reader of the attachment.
            let piece = try await omar.transport.downloadFile(reportHash, from: 1_000, count: 500)
            #expect(piece.bytes == report.subdata(in: 1_000..<1_500))
            #expect(piece.size == 200_000)
            #expect(try ngo.row("attachment", id: evidence.id)?["media_type"] == .text("image/jpeg"))
        }
    }

    @Test("a file over the operator's limit is refused with file_too_large and nothing is stored")
    func overLimit() async throws {
        try await LiveServer.run("evidence-limit", members: Self.members, maxFileBytes: 10_000) { server in
            let account = try await Account(user: "omar", org: "ngo-a", url: server.url)
            let bytes = Self.bytes(20_000)
            let hash = ContentHash.of(bytes)
            let refused = await #expect(throws: TransportError.self) {
                _ = try await account.transport.uploadFile(hash, bytes: bytes, offset: 0, length: 20_000)
            }
            #expect(refused?.code == .fileTooLarge)
            #expect(refused?.status == 413)
            #expect(try server.files.receivedBytes(hash, uploader: "ngo-a") == 0)
            #expect(try server.files.completeSize(hash) == nil)

            // A replica attaching it hears the reason from the push, and the server stores no row.
            let (ngo, submission) = try await Self.ngoSubmission(server, "Video of the visit")
            let evidence = try ngo.attach(try Self.file(bytes, named: "visit.mp4", in: server.data), to: submission)
            let operations = try await server.storage.operationCount()
            let synced = try await ngo.syncWithServer()
            #expect(synced.report.filesUploaded == 0)
            #expect(synced.report.rejected == 1)
            #expect(try ngo.rejectedOperations().map(\.code) == [.fileTooLarge])
            #expect(try await server.storage.operationCount() == operations + 1)
            #expect(try ngo.row("attachment", id: evidence.id) == nil)
            #expect(try server.files.completeSize(hash) == nil)
        }
    }

    @Test("an attachment whose bytes were never uploaded is refused with file_not_uploaded")
    func notUploaded() async throws {
        try await LiveServer.run("evidence-not-uploaded", members: Self.members) { server in
            let account = try await Account(user: "omar", org: "ngo-a", url: server.url)
            let submission = try await account.create("submission", ["text": .text("Detention visits stopped")])
            let operations = try await server.storage.operationCount()
            let hash = ContentHash.of(Self.bytes(1_000))
            let verdict = try await account.write(
                "attachment", UUIDv7.make(),
                [
                    "content_hash": .text(hash), "parent_table": .text("submission"),
                    "parent_id": .text(submission),
                ])
            #expect(verdict.status == .rejected)
            #expect(verdict.code == .fileNotUploaded)
            #expect(verdict.current?.kind == .purge)
            #expect(try await server.storage.operationCount() == operations)
            // Half the bytes are not the file either.
            let bytes = Self.bytes(1_000)
            let halfHash = ContentHash.of(bytes)
            _ = try await account.transport.uploadFile(halfHash, bytes: bytes.prefix(500), offset: 0, length: 1_000)
            let half = try await account.write(
                "attachment", UUIDv7.make(), ["content_hash": .text(halfHash), "size": .integer(1_000)])
            #expect(half.code == .fileNotUploaded)
            _ = try await account.transport.uploadFile(
                halfHash, bytes: bytes.suffix(from: 500), offset: 500, length: 1_000)
            let wrongSize = try await account.write(
                "attachment", UUIDv7.make(), ["content_hash": .text(halfHash), "size": .integer(999)])
            #expect(wrongSize.code == .invalidValue)
            let whole = try await account.write(
                "attachment", UUIDv7.make(),
                [
                    "content_hash": .text(halfHash), "size": .integer(1_000), "parent_table": .text("submission"),
                    "parent_id": .text(submission),
                ])
            #expect(whole.status == .accepted)
        }
    }

    @Test("a purge removes the file's bytes from the replica")
    func purgeRemovesBytes() async throws {
        try await LiveServer.run("evidence-purge", members: Self.members) { server in
            let (ngo, submission) = try await Self.ngoSubmission(server, "Prison report")
            let bytes = Self.bytes(40_000)
            let hash = ContentHash.of(bytes)
            let evidence = try ngo.attach(try Self.file(bytes, named: "prison.png", in: server.data), to: submission)
            _ = try await ngo.syncWithServer()

            // Every organisation reads a non-confidential submission, and so its file.
            let ministry = try await server.enrol("malik")
            #expect(try await ministry.syncWithServer().report.filesDownloaded == 1)
            let held = server.data + "/malik/files/\(hash)"
            #expect(try Data(contentsOf: URL(fileURLWithPath: held)) == bytes)

            // Made confidential (sealed to the NHRI's key, which its first replica publishes), it
            // leaves the ministry's scope with its attachment and bytes.
            _ = try await server.enrol("nadia").syncWithServer()
            _ = try await ngo.syncWithServer()
            try ngo.put("submission", id: submission, fields: ["confidential": .bool(true)])
            _ = try await ngo.syncWithServer()
            let purged = try await ministry.syncWithServer()
            #expect(purged.report.purged == 2)
            #expect(try ministry.row("attachment", id: evidence.id) == nil)
            #expect(!FileManager.default.fileExists(atPath: held))
            #expect(try FileManager.default.contentsOfDirectory(atPath: server.data + "/malik/files").isEmpty)
            // The NGO keeps its own.
            #expect(try ngo.evidencePath(ofAttachment: evidence.id) != nil)
        }
    }

    @Test("followup-server serve keeps files in DATA/files and refuses those over --max-file-bytes")
    func serveOption() async throws {
        let (_, data) = try await LiveServer.prepare(
            "evidence-serve", members: [LiveServer.Member(org: "ngo-a", kind: .ngo, user: "omar")])
        let server = try await ServerProcess.start(data: data + "/server", options: ["--max-file-bytes", "5000"])
        defer { server.stop() }
        let ngo = try await Replica.enrol(
            directory: data + "/omar", serverURL: server.url, user: "omar", password: "omar-pass")
        let submission = try ngo.put("submission", fields: ["text": .text("Detention visits stopped")])
        let small = Self.bytes(4_000)
        let hash = ContentHash.of(small)
        _ = try ngo.attach(try Self.file(small, named: "note.txt", in: data), to: "submission:\(submission)")
        _ = try ngo.attach(try Self.file(Self.bytes(6_000), named: "photo.png", in: data), to: submission)
        let synced = try await ngo.syncWithServer()
        #expect(synced.report.filesUploaded == 1)
        #expect(synced.report.rejected == 1)
        #expect(try ngo.rejectedOperations().map(\.code) == [.fileTooLarge])
        let stored = data + "/server/files/\(hash.prefix(2))/\(hash)"
        #expect(try Data(contentsOf: URL(fileURLWithPath: stored)) == small)
    }
}
