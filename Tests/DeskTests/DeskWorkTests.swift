import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Desk

/// The desk's pages over a ministry's replica synced with an in-process server.
@Suite("The desk's work pages")
struct DeskWorkTests {
    /// A server, a secretariat replica that assigned a recommendation to the ministry, and the
    /// ministry's replica and engine, synced.
    static func ministry() async throws -> (secretariat: SyncEngine, ministry: SyncEngine, recommendation: String) {
        let server = try await InProcessServer()
        let (secretariat, secretariatEngine) = try await server.replica(
            user: "sara", org: "nmirf", clock: SystemWallClock())
        let (_, ministryEngine) = try await server.replica(user: "malik", org: "moj", clock: SystemWallClock())
        _ = try await secretariatEngine.sync()
        let recommendation = try secretariat.put(
            "recommendation", fields: ["text": .text("Ratify the Optional Protocol to the Convention against Torture")])
        _ = try await secretariatEngine.sync()
        _ = try secretariat.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        _ = try await secretariatEngine.sync()
        _ = try await ministryEngine.sync()
        return (secretariatEngine, ministryEngine, recommendation)
    }

    @Test("refused edits are listed with the server's reason, and can be applied again or discarded")
    func refusedEdits() async throws {
        let (_, engine, recommendation) = try await Self.ministry()
        let replica = engine.replica
        try replica.put("recommendation", id: recommendation, fields: ["text": .text("Consider it later")])
        #expect(try await engine.sync().rejected == 1)
        let refused = try #require(try replica.rejectedOperations().first)
        let desk = try DeskFixture(replica: replica, recommendation: recommendation)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(client, "/sync", cookie: cookie)
            #expect(page.contains(refused.code.rawValue))
            #expect(page.contains("value=\"\(refused.operation.id)\""))
            #expect(page.contains("1 edits refused by the server"))

            let reapplied = try await desk.post(
                client, "/refused", cookie: cookie,
                form: "operation=\(refused.operation.id)&decision=reapply&csrf=\(desk.csrf(cookie))")
            #expect(reapplied.status == .seeOther)
            #expect(try replica.rejectedOperations().isEmpty)
            #expect(try replica.status().pending == 1)

            #expect(try await engine.sync().rejected == 1)
            let again = try #require(try replica.rejectedOperations().first)
            let discarded = try await desk.post(
                client, "/refused", cookie: cookie,
                form: "operation=\(again.operation.id)&decision=discard&csrf=\(desk.csrf(cookie))")
            #expect(discarded.status == .seeOther)
            #expect(try replica.rejectedOperations().isEmpty)
            #expect(try replica.status().pending == 0)
            #expect(try replica.row("recommendation", id: recommendation)?["text"] != .text("Consider it later"))
        }
    }

    @Test("the ministry's home page counts its recommendations and says what is new since it last looked")
    func homeAndWhatsNew() async throws {
        let (_, engine, recommendation) = try await Self.ministry()
        let replica = engine.replica
        let desk = try DeskFixture(replica: replica, recommendation: recommendation)
        let catalog = try Catalog(language: "en")
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let first = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
            let home = String(buffer: first.body)
            #expect(home.contains("My recommendations: 1, 0 overdue"))
            #expect(home.contains(catalog["news_assignments"]))
            #expect(home.contains("Ratify the Optional Protocol"))
            let seen = try #require(first.headers[.setCookie]?.split(separator: ";").first)
            #expect(seen.hasPrefix("followup_seen_"))

            let again = try await desk.page(client, "/", cookie: "\(cookie); \(seen)")
            #expect(again.contains(catalog["news_none"]))
            #expect(!again.contains(catalog["news_assignments"]))

            // The dashboards: every chart of the replica's, with its table, in the desk's language.
            let dashboards = try await desk.page(client, "/dashboards", cookie: cookie)
            let expected = try replica.dashboard(try ReportCatalog(language: "en"))
            #expect(dashboards.contains("<a class=\"nav__link\" href=\"/dashboards\">Dashboards</a>"))
            #expect(dashboards.components(separatedBy: "<figure class=\"chart\"").count - 1 == 7)
            #expect(dashboards.contains(expected.progress.table()))
            #expect(dashboards.contains("<caption>Progress reported over time</caption>"))

        }
    }

    @Test("a list pages through every match, with the page count, and nothing stops at a hidden limit")
    func listPages() async throws {
        let server = try await InProcessServer()
        let (replica, engine) = try await server.replica(user: "sara", org: "nmirf", clock: SystemWallClock())
        _ = try await engine.sync()
        let ids = try replica.put(
            "recommendation",
            rows: (1...60).map { (nil, ["text": .text("Recommendation number \($0)"), "session": .integer(9)]) })
        let desk = try DeskFixture(replica: replica, recommendation: ids[0])
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let first = try await desk.page(client, "/recommendations", cookie: cookie)
            #expect(first.contains("60 recommendations"))
            #expect(first.contains("Page 1 of 3"))
            #expect(first.contains("rel=\"next\""))
            let last = try await desk.page(client, "/recommendations?page=3", cookie: cookie)
            #expect(last.contains("Page 3 of 3"))
            #expect(!last.contains("rel=\"next\""))
            #expect(last.components(separatedBy: "class=\"item\"").count - 1 == 10)
            let filtered = try await desk.page(client, "/recommendations?session=9&q=number", cookie: cookie)
            #expect(filtered.contains("60 recommendations"))
            let none = try await desk.page(client, "/recommendations?session=10", cookie: cookie)
            #expect(none.contains("0 recommendations"))
        }
    }
}
