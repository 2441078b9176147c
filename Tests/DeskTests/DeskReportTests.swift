import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Desk

/// The reports page: the reports to the UN and the tracking table, downloaded from the desk, made
/// by the same Client library code as `followup report` and `followup export`.
@Suite("The desk's reports and exports")
struct DeskReportTests {
    /// A desk over the secretariat's replica: a recommendation assigned to the ministry, with one
    /// published action and one draft.
    static func desk() async throws -> (desk: DeskFixture, ministry: String) {
        let (secretariat, _, recommendation) = try await DeskWorkTests.ministry()
        let replica = secretariat.replica
        let published = try replica.put(
            "action",
            fields: ["title": .text("Draft the ratification bill"), "recommendation_id": .text(recommendation)])
        _ = try replica.move(published, to: "submitted")
        _ = try replica.move(published, to: "published")
        _ = try replica.put(
            "action", fields: ["title": .text("Secret draft plan"), "recommendation_id": .text(recommendation)])
        let ministry = try #require(try replica.institutions().first { $0.org == "moj" })
        return (try DeskFixture(replica: replica, recommendation: recommendation), ministry.id)
    }

    /// The text of part `path` of a zipped package.
    static func part(_ path: String, of package: Data) throws -> String {
        try ZippedPackage.part(path, of: package)
    }

    @Test("the reports page offers each report with its scope and language picked from lists")
    func reportsPage() async throws {
        let (desk, ministry) = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(client, "/reports", cookie: cookie)
            for action in ["/reports/upr-midterm", "/reports/institution"] {
                #expect(page.contains("action=\"\(action)\""))
            }
            // No recommendation of a treaty body on this replica: nothing to pick, and it says so.
            #expect(!page.contains("action=\"/reports/treaty-body\""))
            #expect(page.contains(try Catalog(language: "en")["reports_none"]))
            #expect(page.contains("<option value=\"\(ministry)\">Ministry of Justice</option>"))
            #expect(page.contains("<option value=\"fr\" lang=\"fr\">Français</option>"))
            #expect(page.contains("<option value=\"xlsx\">"))
            #expect(!page.contains("type=\"text\""))
        }
    }

    @Test("an institution's report downloads as a Word document holding its published work only")
    func institutionReport() async throws {
        let (desk, ministry) = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let response = try await client.execute(
                uri: "/reports/institution?institution=\(ministry)&lang=fr", method: .get, headers: [.cookie: cookie])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == DeskPages.docxMediaType)
            #expect(
                response.headers[.contentDisposition]?.hasPrefix(
                    "attachment; filename=\"followup-institution-moj-fr.docx\"") == true)
            let document = try Self.part("word/document.xml", of: Data(response.body.readableBytesView))
            #expect(document.contains("Draft the ratification bill"))
            #expect(document.contains("Ratify the Optional Protocol"))
            #expect(!document.contains("Secret draft plan"))
            // The same document `followup report institution` writes.
            let catalog = try ReportCatalog(language: "fr")
            let expected = try desk.replica.report(.institution(ministry)).docx(catalog)
            #expect(try Self.part("word/document.xml", of: expected) == document)
        }
    }

    @Test("a scope or language not among the lists is refused")
    func badChoices() async throws {
        let (desk, ministry) = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            for (path, status) in [
                ("/reports/institution?institution=moj&lang=en", HTTPResponse.Status.badRequest),
                ("/reports/institution?institution=\(ministry)&lang=de", .badRequest),
                ("/reports/treaty-body?body=NOPE&lang=en", .badRequest),
                ("/reports/upr-midterm?cycle=x&lang=en", .badRequest),
                ("/reports/budget?lang=en", .notFound),
                ("/export/recommendations?format=pdf", .badRequest),
            ] {
                let response = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
                #expect(response.status == status, "\(path)")
            }
        }
    }

    @Test("the tracking table downloads as CSV, JSON and XLSX, with the list's filters")
    func exports() async throws {
        let (desk, _) = try await Self.desk()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let list = try await desk.page(client, "/recommendations?q=Optional", cookie: cookie)
            #expect(list.contains("href=\"/export/recommendations?q=Optional&amp;format=csv\""))

            let csv = try await client.execute(
                uri: "/export/recommendations?format=csv&q=Optional", method: .get, headers: [.cookie: cookie])
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(
                csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"followup-recommendations.csv\"")
                    == true)
            let table = try desk.replica.trackingTable(RecommendationFilter())
            #expect(Data(csv.body.readableBytesView) == Data(table.csv().utf8))

            let json = try await client.execute(
                uri: "/export/recommendations?format=json", method: .get, headers: [.cookie: cookie])
            #expect(json.headers[.contentType] == "application/json")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.body.readableBytesView)) as? [Any])
            #expect(rows.count == 1)

            let xlsx = try await client.execute(
                uri: "/export/recommendations?format=xlsx", method: .get, headers: [.cookie: cookie])
            #expect(
                xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(try Self.part("xl/worksheets/sheet1.xml", of: Data(xlsx.body.readableBytesView)).contains("Ratify"))

            let none = try await client.execute(
                uri: "/export/recommendations?format=csv&q=nothingmatches", method: .get, headers: [.cookie: cookie])
            #expect(String(buffer: none.body).split(separator: "\r\n").count == 1)
        }
    }
}
