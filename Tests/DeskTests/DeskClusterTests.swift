import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Desk

/// The secretariat's cluster pages: a cluster created, recommendations found by a search and
/// picked with checkboxes, and the cluster assigned to an institution picked from a list.
@Suite("The desk's cluster pages")
struct DeskClusterTests {
    @Test("the secretariat creates a cluster, adds a recommendation found by a search, and assigns the cluster")
    func createAddAssign() async throws {
        let desk = try await DeskFixture.secretariat()
        let replica = desk.replica
        let ratify = try replica.put("recommendation", fields: ["text": .text("Ratify the Optional Protocol")])
        let catalog = try Catalog(language: "en")
        let ministry = try #require(try replica.institutions().first { $0.kind == "ministry" })
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            #expect(try await desk.page(client, "/", cookie: cookie).contains("href=\"/clusters\""))
            let list = try await desk.page(client, "/clusters", cookie: cookie)
            #expect(list.contains("<label class=\"label\" for=\"f-title\">"))

            let untitled = try await desk.post(client, "/clusters", cookie: cookie, form: "csrf=\(desk.csrf(cookie))")
            #expect(untitled.status == .unprocessableContent)
            #expect(String(buffer: untitled.body).contains("<a href=\"#f-title\">"))
            #expect(try replica.rows("cluster").isEmpty)

            let created = try await desk.post(
                client, "/clusters", cookie: cookie, form: "title=Torture+prevention&csrf=\(desk.csrf(cookie))")
            #expect(created.status == .seeOther)
            let cluster = try #require(try replica.rows("cluster").first?.id)
            #expect(created.headers[.location] == "/clusters/\(cluster)?notice=notice_cluster_created")

            // A search lists the matches not yet in the cluster as checkboxes; ids are never typed.
            let found = try await desk.page(client, "/clusters/\(cluster)?q=Ratify", cookie: cookie)
            #expect(found.contains("name=\"recommendation\" type=\"checkbox\" value=\"\(ratify)\""))
            #expect(!found.contains("value=\"\(desk.recommendation)\""))
            let nothing = try await desk.post(
                client, "/clusters/\(cluster)/members", cookie: cookie, form: "csrf=\(desk.csrf(cookie))")
            #expect(nothing.status == .unprocessableContent)
            #expect(String(buffer: nothing.body).contains(catalog["clusters_error_pick"]))
            let added = try await desk.post(
                client, "/clusters/\(cluster)/members", cookie: cookie,
                form: "recommendation=\(ratify)&csrf=\(desk.csrf(cookie))")
            #expect(added.status == .seeOther)
            #expect(try replica.cluster(cluster).members.map(\.id) == [ratify])
            let page = try await desk.page(client, "/clusters/\(cluster)?q=Ratify", cookie: cookie)
            #expect(page.contains("<a href=\"/recommendations/\(ratify)\">"))
            #expect(!page.contains("type=\"checkbox\" value=\"\(ratify)\""))

            let form = "institution=\(ministry.id)&role=lead&csrf=\(desk.csrf(cookie))"
            let assigned = try await desk.post(client, "/clusters/\(cluster)/assignment", cookie: cookie, form: form)
            #expect(assigned.status == .seeOther)
            let assignment = try #require(try replica.rows("assignment", where: "cluster_id", is: cluster).first)
            #expect(assignment.values["institution_id"] == .text(ministry.id))
            #expect(assignment.values["role"] == .text("lead"))
            let twice = try await desk.post(client, "/clusters/\(cluster)/assignment", cookie: cookie, form: form)
            #expect(twice.status == .unprocessableContent)
            #expect(String(buffer: twice.body).contains(catalog["clusters_error_assigned"]))
            // The recommendation's page shows the assignment through its cluster.
            let recommendation = try await desk.page(client, "/recommendations/\(ratify)", cookie: cookie)
            #expect(recommendation.contains(ministry.name))
        }
    }

    @Test("only the secretariat has the cluster pages")
    func ministryRefused() async throws {
        let (_, engine, recommendation) = try await DeskWorkTests.ministry()
        let desk = try DeskFixture(replica: engine.replica, recommendation: recommendation)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await client.execute(uri: "/clusters", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .forbidden)
            let post = try await desk.post(
                client, "/clusters", cookie: cookie, form: "title=Mine&csrf=\(desk.csrf(cookie))")
            #expect(post.status == .forbidden)
            #expect(try engine.replica.rows("cluster").isEmpty)
        }
    }
}
