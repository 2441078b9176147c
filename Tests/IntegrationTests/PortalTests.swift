import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Synchronization
import TestSupport
import Testing

@testable import Client
@testable import Server

/// The public portal of `followup-server serve` (issue 13): pages and open data read through
/// the public's view, with ETags.
@Suite("Public portal: published work only, open data at stable addresses")
struct PortalTests {
    @Test("the page and the downloads show published work only; an ETag answers 304 until something is published")
    func pagesAndDownloads() async throws {
        let fixture = try await PublishedWorkFixture.make("portal")
        let app = buildApplication(
            ServerConfiguration(port: 0, logLevel: LiveServer.logLevel), storage: fixture.server.storage,
            files: try DirectoryEvidenceStore(root: try temporaryDirectory("portal-files")),
            clock: fixture.server.clock)
        let (secretariat, engine, recommendations) = (
            fixture.secretariat, fixture.secretariatEngine, fixture.recommendations
        )
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            #expect(html.contains("<html lang=\"en\" dir=\"ltr\">"))
            #expect(html.contains("5 recommendations to the State"))
            #expect(html.contains("<caption>NHRI ratings</caption>"))
            #expect(html.contains("href=\"/open-data/recommendations.csv\""))
            #expect(!html.contains("HIDDEN"))
            let arabic = String(buffer: try await client.execute(uri: "/?lang=ar", method: .get).body)
            #expect(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(arabic.contains("البيانات المفتوحة"))

            let csv = try await client.execute(uri: "/open-data/recommendations.csv", method: .get)
            #expect(csv.status == .ok)
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("id,document_symbol,"))
            #expect(text.contains("SHOWNPROGRESS"))
            #expect(text.contains(",partial,"))
            #expect(!text.contains("HIDDEN"))
            let records = ExportTests.records(text)
            #expect(records.count == 6)
            let json = try await client.execute(uri: "/open-data/recommendations.json", method: .get)
            let objects =
                try JSONSerialization.jsonObject(with: Data(String(buffer: json.body).utf8)) as? [[String: Any]]
            #expect(objects?.count == 5)
            #expect(!String(buffer: json.body).contains("HIDDEN"))
            // The status the public sees counts published actions only: the secretariat's
            // replica counts the submitted action on the third recommendation.
            let status = try #require(TrackingTable.columns.firstIndex { $0.key == "status" })
            let third = recommendations[2]
            #expect(records.first { $0[0] == third }?[status] == "no_action")
            #expect(
                try secretariat.trackingTable(RecommendationFilter()).rows.first { $0[0] == .text(third) }?[
                    status] == .text("planned"))

            // One recommendation's page: its published work, the NHRI's rating marked as its own.
            let detail = try await client.execute(uri: "/recommendations/\(recommendations[0])", method: .get)
            #expect(detail.status == .ok)
            let detailPage = String(buffer: detail.body)
            for expected in [
                "SHOWNACTION", "SHOWNPROGRESS", "SHOWNRATIONALE", "Partially implemented", "France, Brazil",
            ] {
                #expect(detailPage.contains(expected), "the page lacks \(expected)")
            }
            #expect(!detailPage.contains("HIDDEN"))
            let list = String(
                buffer: try await client.execute(uri: "/recommendations?q=torture&lang=fr", method: .get).body)
            #expect(list.contains("1 recommandations correspondent."))
            #expect(list.contains("/recommendations/\(recommendations[0])?lang=fr"))
            // An unpublished row's id answers as an unknown one.
            let hiddenAction = try #require(
                try secretariat.rows("action").first { $0.values["title"] == .text("Draft action HIDDENDRAFT") })
            let missing = try await client.execute(uri: "/recommendations/\(hiddenAction.id)", method: .get)
            #expect(missing.status == .notFound)
            #expect(!String(buffer: missing.body).contains("HIDDEN"))

            // Conditional requests.
            let tag = try #require(csv.headers[.eTag])
            let again = try await client.execute(
                uri: "/open-data/recommendations.csv", method: .get, headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified)
            let submitted = try #require(
                try secretariat.rows("action").first { $0.values["title"] == .text("Action HIDDENSUBMITTED") })
            _ = try secretariat.move(submitted.id, to: "published")
            _ = try await engine.sync()
            let changed = try await client.execute(
                uri: "/open-data/recommendations.csv", method: .get, headers: [.ifNoneMatch: tag])
            #expect(changed.status == .ok)
            let now = ExportTests.records(String(buffer: changed.body))
            #expect(now.first { $0[0] == third }?[status] == "planned")
        }
    }

    @Test("rendered answers are kept by ETag, the oldest forgotten first")
    func renderedAnswers() async {
        let answers = RenderedAnswers()
        for index in 0...RenderedAnswers.capacity { await answers.keep(Data([UInt8(index % 256)]), as: "t\(index)") }
        #expect(await answers["t0"] == nil)
        #expect(await answers["t1"] == Data([1]))
        #expect(await answers["t\(RenderedAnswers.capacity)"] == Data([0]))
    }

    @Test("an answer many ask for at once is rendered once, and one in use is kept over older ones")
    func renderedOnceAndKeptWhileUsed() async throws {
        let answers = RenderedAnswers()
        let renderings = Renderings()
        let results = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await answers.answer("home") {
                        renderings.count.withLock { $0 += 1 }
                        Thread.sleep(forTimeInterval: 0.05)
                        return Data("page".utf8)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: Data("page".utf8), count: 20))
        #expect(renderings.count.withLock { $0 } == 1)
        // The home page, asked for between one-off pages, outlives them all.
        for index in 0..<RenderedAnswers.capacity * 2 {
            _ = try await answers.answer("once\(index)") { Data() }
            _ = try await answers.answer("home") { Data("again".utf8) }
        }
        #expect(await answers["home"] == Data("page".utf8))
        #expect(await answers["once0"] == nil)
    }
}

/// How many times an answer was rendered, across tasks.
private final class Renderings: Sendable {
    let count = Mutex(0)
}
