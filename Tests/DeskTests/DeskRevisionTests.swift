import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Desk

/// Published government work in the desk: an assigned ministry's edit becomes a revision the
/// public does not see, listed under the published action, which the ministry submits and the
/// secretariat publishes.
@Suite("The desk's revisions of published work")
struct DeskRevisionTests {
    @Test("a ministry edits a published action into a revision; the secretariat sees what changed and publishes it")
    func editSubmitPublish() async throws {
        let (secretariatEngine, ministryEngine, recommendation) = try await DeskWorkTests.ministry()
        let (secretariat, ministry) = (secretariatEngine.replica, ministryEngine.replica)
        var planned = NewAction(recommendation: recommendation, title: "Draft the ratification bill")
        planned.description = "First draft"
        let action = try ministry.planAction(planned)
        try ministry.move(action, to: "submitted")
        _ = try await ministryEngine.sync()
        _ = try await secretariatEngine.sync()
        try secretariat.move(action, to: "published")
        _ = try await secretariatEngine.sync()
        _ = try await ministryEngine.sync()
        let catalog = try Catalog(language: "en")

        let ministryDesk = try DeskFixture(replica: ministry, recommendation: recommendation)
        try await ministryDesk.application.test(.router) { client in
            let cookie = try await ministryDesk.enter(client)
            let page = try await ministryDesk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(page.contains("href=\"/actions/\(action)/edit\""))
            let form = try await ministryDesk.page(client, "/actions/\(action)/edit", cookie: cookie)
            #expect(form.contains("value=\"Draft the ratification bill\""))
            #expect(form.contains(catalog["form_edit_intro"]))

            // A bad amount is refused beside its field and changes nothing.
            let refused = try await ministryDesk.post(
                client, "/actions/\(action)/edit", cookie: cookie,
                form: "title=Bill+tabled&spent=lots&csrf=\(ministryDesk.csrf(cookie))")
            #expect(refused.status == .unprocessableContent)
            #expect(try ministry.revisions(of: "action", id: action).isEmpty)

            let saved = try await ministryDesk.post(
                client, "/actions/\(action)/edit", cookie: cookie,
                form: "title=Bill+tabled&description=First+draft&status=in_progress&spent=1500"
                    + "&csrf=\(ministryDesk.csrf(cookie))")
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/recommendations/\(recommendation)?notice=notice_revision")
            // The published action is unchanged; the edit is the ministry's revision of it.
            #expect(try ministry.row("action", id: action)?["title"] == .text("Draft the ratification bill"))
            let proposed = try #require(try ministry.revisions(of: "action", id: action).first)
            let revision = proposed.id
            #expect(Set(proposed.changed) == ["title", "status", "spent_amount"])

            let shown = try await ministryDesk.page(
                client, "/recommendations/\(recommendation)?notice=notice_revision", cookie: cookie)
            #expect(shown.contains(catalog["notice_revision"]))
            #expect(shown.contains(catalog["rec_revisions"]))
            #expect(shown.contains("Draft the ratification bill → Bill tabled"))
            #expect(shown.contains("Planned → In progress"))
            #expect(shown.contains("name=\"row\" value=\"\(revision)\""))
            // The form shows the revision's values, and a second edit joins the same revision.
            let again = try await ministryDesk.page(client, "/actions/\(action)/edit", cookie: cookie)
            #expect(again.contains("value=\"Bill tabled\""))
            _ = try await ministryDesk.post(
                client, "/actions/\(action)/edit", cookie: cookie,
                form: "title=Bill+tabled+in+parliament&description=First+draft&status=in_progress&spent=1500"
                    + "&csrf=\(ministryDesk.csrf(cookie))")
            #expect(try ministry.revisions(of: "action", id: action).map(\.id) == [revision])

            let submitted = try await ministryDesk.post(
                client, "/move", cookie: cookie,
                form: "row=\(revision)&table=action&state=submitted&return=/recommendations/\(recommendation)"
                    + "&csrf=\(ministryDesk.csrf(cookie))")
            #expect(submitted.status == .seeOther)
        }
        _ = try await ministryEngine.sync()
        _ = try await secretariatEngine.sync()

        let revision = try #require(try secretariat.revisions(of: "action", id: action).first?.id)
        let secretariatDesk = try DeskFixture(replica: secretariat, recommendation: recommendation)
        try await secretariatDesk.application.test(.router) { client in
            let cookie = try await secretariatDesk.enter(client)
            let page = try await secretariatDesk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(page.contains("Draft the ratification bill → Bill tabled in parliament"))
            #expect(page.contains("name=\"row\" value=\"\(revision)\""))
            #expect(page.contains("value=\"published\""))
            let published = try await secretariatDesk.post(
                client, "/move", cookie: cookie,
                form: "row=\(revision)&table=action&state=published&return=/recommendations/\(recommendation)"
                    + "&csrf=\(secretariatDesk.csrf(cookie))")
            #expect(published.status == .seeOther)
            #expect(try secretariat.row("action", id: action)?["title"] == .text("Bill tabled in parliament"))
            #expect(try secretariat.row("action", id: action)?["spent_amount"] == .real(1_500))
            #expect(try secretariat.row("action", id: revision) == nil)
            let after = try await secretariatDesk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(!after.contains(catalog["rec_revisions"]))
        }
        _ = try await secretariatEngine.sync()
        #expect(try secretariat.rejectedOperations().isEmpty)
        #expect(try ministry.rejectedOperations().isEmpty)
    }

    @Test("the edit form is offered only where the organisation may change the action or propose a revision")
    func editOnlyWherePermitted() async throws {
        let fixture = try await DeskFixture.secretariat()
        let action = try fixture.replica.planAction(
            NewAction(recommendation: fixture.recommendation, title: "Coordinate"))
        #expect(DeskForm.Kind.edit.permitted(fixture.replica, target: action))
        #expect(!DeskForm.Kind.edit.permitted(fixture.replica, target: "no-such-action"))
        try await fixture.application.test(.router) { client in
            let cookie = try await fixture.enter(client)
            let missing = try await client.execute(
                uri: "/actions/no-such-action/edit", method: .get, headers: [.cookie: cookie])
            #expect(missing.status == .forbidden)
            // The secretariat changes an action directly: no revision.
            let saved = try await fixture.post(
                client, "/actions/\(action)/edit", cookie: cookie,
                form: "title=Coordinate+the+report&status=planned&csrf=\(fixture.csrf(cookie))")
            #expect(saved.headers[.location]?.hasSuffix("notice=notice_saved") == true)
            #expect(try fixture.replica.row("action", id: action)?["title"] == .text("Coordinate the report"))
        }
    }
}
