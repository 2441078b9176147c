import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Desk

/// The secretariat's import page: an export file uploaded, imported through the Client's
/// import, and what was imported or refused shown.
@Suite("The desk's import page")
struct DeskImportTests {
    /// A fixture of the import tests (`Tests/IntegrationTests/Fixtures`).
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("IntegrationTests/Fixtures/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    @Test("the secretariat imports a UPR Info file and sees what was new; a second import changes nothing")
    func importsAFile() async throws {
        let desk = try await DeskFixture.secretariat()
        let catalog = try Catalog(language: "en")
        let before = try desk.replica.rows("recommendation").count
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let home = try await desk.page(client, "/", cookie: cookie)
            #expect(home.contains("href=\"/import\""))
            let form = try await desk.page(client, "/import", cookie: cookie)
            #expect(form.contains("enctype=\"multipart/form-data\""))
            #expect(form.contains("<label class=\"label\" for=\"f-file\">"))

            let bytes = try Self.fixture("upr-info-sample.csv")
            let fields = [("csrf", desk.csrf(cookie)), ("format", "upr-info")]
            let first = try await desk.upload(
                client, "/import", cookie: cookie, fields: fields, fileName: "upr-info-sample.csv", bytes: bytes)
            #expect(first.status == .ok)
            let report = String(buffer: first.body)
            #expect(report.contains(catalog["import_report_title"]))
            #expect(report.contains("<dt>\(catalog["import_new"])</dt><dd>4</dd>"))
            #expect(try desk.replica.rows("recommendation").count == before + 4)

            let again = try await desk.upload(
                client, "/import", cookie: cookie, fields: fields, fileName: "upr-info-sample.csv", bytes: bytes)
            #expect(String(buffer: again.body).contains("<dt>\(catalog["import_new"])</dt><dd>0</dd>"))
            #expect(try desk.replica.rows("recommendation").count == before + 4)
        }
    }

    @Test("a UHRI export imports the recommendations about the State given, in the language its name says")
    func importsUHRI() async throws {
        let desk = try await DeskFixture.secretariat()
        let catalog = try Catalog(language: "en")
        let before = try desk.replica.rows("recommendation").count
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let response = try await desk.upload(
                client, "/import", cookie: cookie,
                fields: [("csrf", desk.csrf(cookie)), ("format", "uhri"), ("state", "per")],
                fileName: "export-full-fr.json", bytes: try Self.fixture("uhri-export-full-en.json"))
            #expect(response.status == .ok)
            let page = String(buffer: response.body)
            #expect(page.contains("<dt>\(catalog["import_read"])</dt><dd>9</dd>"))
            #expect(page.contains("<dt>\(catalog["import_other_states"])</dt><dd>5</dd>"))
            let imported = try desk.replica.rows("recommendation").filter { $0.values["uhri_id"] != nil }
            #expect(imported.count == 4)
            #expect(try desk.replica.rows("recommendation").count == before + 4)
            #expect(imported.allSatisfy { $0.values["language"] == .text("fr") })
        }
    }

    @Test("a file with invalid records imports nothing unless told to skip them; a missing file or format is an error")
    func refusesInvalid() async throws {
        let desk = try await DeskFixture.secretariat()
        let catalog = try Catalog(language: "en")
        let before = try desk.replica.rows("recommendation").count
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let bytes = try Self.fixture("upr-info-broken.csv")
            let refused = try await desk.upload(
                client, "/import", cookie: cookie, fields: [("csrf", desk.csrf(cookie)), ("format", "upr-info")],
                fileName: "broken.csv", bytes: bytes)
            #expect(refused.status == .unprocessableContent)
            let page = String(buffer: refused.body)
            #expect(page.contains("class=\"error-summary\""))
            #expect(page.contains("<a href=\"#f-file\">\(catalog["import_error_invalid"])</a>"))
            #expect(page.contains("<td>4</td>"))
            #expect(try desk.replica.rows("recommendation").count == before)

            let skipped = try await desk.upload(
                client, "/import", cookie: cookie,
                fields: [("csrf", desk.csrf(cookie)), ("format", "upr-info"), ("skipInvalid", "yes")],
                fileName: "broken.csv", bytes: bytes)
            #expect(skipped.status == .ok)
            #expect(try desk.replica.rows("recommendation").count == before + 2)

            let empty = try await desk.upload(
                client, "/import", cookie: cookie, fields: [("csrf", desk.csrf(cookie)), ("state", "Kenya")],
                fileName: nil)
            #expect(empty.status == .unprocessableContent)
            let errors = String(buffer: empty.body)
            #expect(errors.contains("<a href=\"#f-file\">"))
            #expect(errors.contains("<a href=\"#f-format\">\(catalog["import_error_format"])</a>"))
            #expect(errors.contains("<a href=\"#f-state\">\(catalog["import_error_state"])</a>"))
        }
    }

    @Test("only the secretariat has the import page")
    func ministryRefused() async throws {
        let (_, engine, recommendation) = try await DeskWorkTests.ministry()
        let desk = try DeskFixture(replica: engine.replica, recommendation: recommendation)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await client.execute(uri: "/import", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .forbidden)
            #expect(!(try await desk.page(client, "/", cookie: cookie)).contains("href=\"/import\""))
        }
    }
}
