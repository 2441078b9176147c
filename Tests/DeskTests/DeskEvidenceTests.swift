import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Desk

/// Evidence files in the desk: a file picker's form behind the CSRF guard and a size limit, the
/// files listed where they belong, and opened with headers that keep them from acting as pages.
@Suite("The desk's evidence files")
struct DeskEvidenceTests {
    /// A desk over a secretariat replica on disk (it keeps files), with a recommendation.
    static func desk(maxFileBytes: Int = DeskConfiguration.defaultMaxFileBytes) async throws -> DeskFixture {
        let server = try await InProcessServer()
        let (replica, _) = try await server.replicaOnDisk(
            user: "sara", org: "nmirf", directory: try temporaryDirectory("desk-evidence"))
        let recommendation = try replica.put(
            "recommendation", fields: ["text": .text("Publish the prison inspection reports")])
        var desk = try DeskFixture(replica: replica, recommendation: recommendation)
        desk.maxFileBytes = maxFileBytes
        return desk
    }

    /// The files in the replica's evidence directory.
    static func storedFiles(_ replica: Replica) throws -> [String] {
        guard let directory = replica.evidenceDirectory, FileManager.default.fileExists(atPath: directory) else {
            return []
        }
        return try FileManager.default.contentsOfDirectory(atPath: directory)
    }

    @Test("a file picked on the form is stored, attached to the row, listed on its page and opened")
    func uploadListOpen() async throws {
        let desk = try await Self.desk()
        let bytes = Array("%PDF-1.4 the inspection report".utf8)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let path = "/evidence/recommendation/\(desk.recommendation)"
            let form = try await desk.page(client, path, cookie: cookie)
            #expect(form.contains("enctype=\"multipart/form-data\""))
            #expect(form.contains("type=\"file\""))
            let before = try desk.replica.status().pending

            let response = try await desk.upload(
                client, path, cookie: cookie, fields: [("csrf", desk.csrf(cookie))], fileName: "inspection.pdf",
                bytes: bytes)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/recommendations/\(desk.recommendation)?notice=notice_attached")
            let attachment = try #require(try desk.replica.attachments(of: desk.recommendation).first)
            #expect(attachment.values["file_name"] == .text("inspection.pdf"))
            #expect(attachment.values["size"] == .integer(Int64(bytes.count)))
            #expect(try desk.replica.status().pending == before + 1)

            let page = try await desk.page(client, "/recommendations/\(desk.recommendation)", cookie: cookie)
            #expect(page.contains("href=\"/files/\(attachment.id)\">inspection.pdf</a>"))

            let opened = try await client.execute(
                uri: "/files/\(attachment.id)", method: .get, headers: [.cookie: cookie])
            #expect(opened.status == .ok)
            #expect(Array(buffer: opened.body) == bytes)
            // A PDF is downloaded, never shown as a page of the desk.
            #expect(opened.headers[.contentType] == "application/octet-stream")
            #expect(opened.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"inspection.pdf\"") == true)
            #expect(opened.headers[.xContentTypeOptions] == "nosniff")
            #expect(opened.headers[.contentSecurityPolicy]?.hasPrefix("sandbox") == true)
        }
    }

    @Test("an image opens in the browser with its own type, still sandboxed")
    func imageInline() async throws {
        let desk = try await Self.desk()
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let response = try await desk.upload(
                client, "/evidence/recommendation/\(desk.recommendation)", cookie: cookie,
                fields: [("csrf", desk.csrf(cookie))], fileName: "photo.PNG", bytes: bytes)
            #expect(response.status == .seeOther)
            let attachment = try #require(try desk.replica.attachments(of: desk.recommendation).first)
            let opened = try await client.execute(
                uri: "/files/\(attachment.id)", method: .get, headers: [.cookie: cookie])
            #expect(opened.headers[.contentType] == "image/png")
            #expect(opened.headers[.contentDisposition]?.hasPrefix("inline;") == true)
            #expect(opened.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(opened.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test("an upload without the page's CSRF token is refused and stores no byte and no row")
    func csrfRefusalStoresNothing() async throws {
        let desk = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let pending = try desk.replica.status().pending
            for fields in [[], [("csrf", "")], [("csrf", DeskGuard.randomToken())]] {
                let response = try await desk.upload(
                    client, "/evidence/recommendation/\(desk.recommendation)", cookie: cookie, fields: fields,
                    fileName: "forged.pdf", bytes: Array("forged".utf8))
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("csrf"))
            }
            #expect(try desk.replica.attachments(of: desk.recommendation).isEmpty)
            #expect(try Self.storedFiles(desk.replica).isEmpty)
            #expect(try desk.replica.status().pending == pending)
        }
    }

    @Test("a file over the limit is refused with 413 and nothing is stored; a form without a file says so")
    func oversizeRefused() async throws {
        let desk = try await Self.desk(maxFileBytes: 1024)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let path = "/evidence/recommendation/\(desk.recommendation)"
            let pending = try desk.replica.status().pending
            for size in [1025, 200_000] {
                let response = try await desk.upload(
                    client, path, cookie: cookie, fields: [("csrf", desk.csrf(cookie))], fileName: "big.pdf",
                    bytes: [UInt8](repeating: 7, count: size))
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("file_too_large"))
            }
            #expect(try desk.replica.attachments(of: desk.recommendation).isEmpty)
            #expect(try Self.storedFiles(desk.replica).isEmpty)
            #expect(try desk.replica.status().pending == pending)

            let empty = try await desk.upload(
                client, path, cookie: cookie, fields: [("csrf", desk.csrf(cookie))], fileName: nil)
            #expect(empty.status == .unprocessableContent)
            let page = String(buffer: empty.body)
            #expect(page.contains("class=\"error-summary\""))
            #expect(page.contains("href=\"#f-file\""))
            #expect(page.contains("aria-describedby=\"f-file-hint f-file-error\""))

            let fits = try await desk.upload(
                client, path, cookie: cookie, fields: [("csrf", desk.csrf(cookie))], fileName: "small.txt",
                bytes: [UInt8](repeating: 65, count: 1024))
            #expect(fits.status == .seeOther)
        }
    }

    @Test("a file name is escaped on the page and cannot break the download's headers")
    func fileNameEscaped() async throws {
        let desk = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let name = "<img src=x onerror=alert(1)> \\\"report\\\" été.txt"
            let response = try await desk.upload(
                client, "/evidence/recommendation/\(desk.recommendation)", cookie: cookie,
                fields: [("csrf", desk.csrf(cookie))], fileName: name, bytes: Array("<script>alert(2)</script>".utf8))
            #expect(response.status == .seeOther)
            let attachment = try #require(try desk.replica.attachments(of: desk.recommendation).first)
            let page = try await desk.page(client, "/recommendations/\(desk.recommendation)", cookie: cookie)
            #expect(!page.contains("<img src=x"))
            #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))

            let opened = try await client.execute(
                uri: "/files/\(attachment.id)", method: .get, headers: [.cookie: cookie])
            let disposition = try #require(opened.headers[.contentDisposition])
            // One quoted fallback without quotes, backslashes or non-ASCII, then the exact name encoded.
            #expect(disposition.filter { $0 == "\"" }.count == 2)
            #expect(!disposition.contains("\\"))
            #expect(disposition.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
            #expect(disposition.contains("filename*=UTF-8''%3Cimg%20src%3Dx"))
            #expect(disposition.contains("%C3%A9t%C3%A9.txt"))
            // Plain text opens as text, never as HTML.
            #expect(opened.headers[.contentType] == "text/plain; charset=utf-8")
        }
    }

    @Test("a file not downloaded yet shows as such, and opening it says so")
    func notDownloaded() async throws {
        let desk = try await Self.desk()
        let source = try temporaryDirectory("desk-evidence-source") + "/minutes.pdf"
        try Data("minutes".utf8).write(to: URL(fileURLWithPath: source))
        let attached = try desk.replica.attach(source, to: "recommendation:\(desk.recommendation)")
        try FileManager.default.removeItem(
            atPath: try #require(try desk.replica.evidencePath(ofAttachment: attached.id)))
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(client, "/recommendations/\(desk.recommendation)", cookie: cookie)
            #expect(page.contains("minutes.pdf"))
            #expect(!page.contains("href=\"/files/\(attached.id)\""))
            #expect(page.contains(try Catalog(language: "en")["evidence_not_downloaded"]))
            let opened = try await client.execute(
                uri: "/files/\(attached.id)", method: .get, headers: [.cookie: cookie])
            #expect(opened.status == .notFound)
            #expect(String(buffer: opened.body).contains("not_downloaded"))
            let unknown = try await client.execute(
                uri: "/files/\(UUIDv7.make())", method: .get, headers: [.cookie: cookie])
            #expect(unknown.status == .notFound)
        }
    }

    @Test("the file picker is offered only where the organisation may change the row")
    func onlyWherePermitted() async throws {
        let (_, engine, recommendation) = try await DeskWorkTests.ministry()
        let desk = try DeskFixture(replica: engine.replica, recommendation: recommendation)
        let action = try engine.replica.put(
            "action", fields: ["title": .text("Draft the bill"), "recommendation_id": .text(recommendation)])
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(!page.contains("href=\"/evidence/recommendation/"))
            #expect(page.contains("href=\"/evidence/action/\(action)\""))
            let refused = try await client.execute(
                uri: "/evidence/recommendation/\(recommendation)", method: .get, headers: [.cookie: cookie])
            #expect(refused.status == .forbidden)
            let posted = try await desk.upload(
                client, "/evidence/recommendation/\(recommendation)", cookie: cookie,
                fields: [("csrf", desk.csrf(cookie))], fileName: "x.pdf", bytes: [1])
            #expect(posted.status == .forbidden)
            #expect(try engine.replica.attachments(of: recommendation).isEmpty)
        }
    }
}
