import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Desk

/// The desk on a shared computer: only its own Host, only the browser that used the printed
/// address, only forms carrying the page's token, and every value escaped.
@Suite("The desk's guard")
struct DeskSecurityTests {
    @Test("a request naming another host is refused with 421, even with the secret")
    func wrongHostRefused() async throws {
        let desk = try await DeskFixture.secretariat(hosts: ["127.0.0.1:8765"])
        try await desk.application.test(.router) { client in
            // The router test client sends Host: localhost, which is not this desk's.
            let entry = try await client.execute(uri: "/enter?key=\(desk.deskGuard.entrySecret)", method: .get)
            #expect(entry.status == .misdirectedRequest)
            #expect(entry.headers[.setCookie] == nil)
            #expect(try await client.execute(uri: "/", method: .get).status == .misdirectedRequest)
        }
        // The secret was not spent by the refused request.
        #expect(desk.deskGuard.enter(with: desk.deskGuard.entrySecret) != nil)
        #expect(!desk.deskGuard.answers(host: "evil.example:8765"))
        #expect(!desk.deskGuard.answers(host: nil))
        #expect(desk.deskGuard.answers(host: "127.0.0.1:8765"))
    }

    @Test(
        "without the session cookie every page is refused; the secret works once and sets an HttpOnly SameSite=Strict cookie"
    )
    func cookieRequired() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            for path in ["/", "/recommendations", "/recommendations/\(desk.recommendation)", "/sync", "/desk.css"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .forbidden, "\(path)")
                #expect(!String(buffer: response.body).contains("alert"))
            }
            let forged = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: "followup_desk=\(DeskGuard.randomToken())"])
            #expect(forged.status == .forbidden)
            #expect(try await client.execute(uri: "/enter?key=wrong", method: .get).status == .forbidden)

            let entry = try await client.execute(uri: "/enter?key=\(desk.deskGuard.entrySecret)", method: .get)
            #expect(entry.status == .seeOther)
            let setCookie = try #require(entry.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            let again = try await client.execute(uri: "/enter?key=\(desk.deskGuard.entrySecret)", method: .get)
            #expect(again.status == .forbidden)

            let cookie = String(setCookie.split(separator: ";")[0])
            let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
            #expect(home.status == .ok)
            let policy = try #require(home.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("form-action 'self'"))
            #expect(String(buffer: home.body).contains("name=\"csrf\" value=\"\(desk.csrf(cookie))\""))
        }
    }

    @Test("a POST without the page's CSRF token changes nothing")
    func csrfRequired() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let pending = try desk.replica.status().pending
            let path = "/recommendations/\(desk.recommendation)/action"
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            for body in [
                "title=Draft+the+bill", "title=Draft+the+bill&csrf=",
                "title=Draft+the+bill&csrf=\(DeskGuard.randomToken())",
            ] {
                let response = try await client.execute(
                    uri: path, method: .post, headers: form,
                    body: ByteBuffer(string: body))
                #expect(response.status == .forbidden)
            }
            let sync = try await client.execute(
                uri: "/refused", method: .post,
                headers: form,
                body: ByteBuffer(string: "operation=x&decision=discard"))
            #expect(sync.status == .forbidden)
            #expect(try desk.replica.status().pending == pending)
            #expect(try desk.replica.rows("action").isEmpty)

            let accepted = try await client.execute(
                uri: path, method: .post, headers: form,
                body: ByteBuffer(string: "title=Draft+the+bill&csrf=\(desk.csrf(cookie))"))
            #expect(accepted.status == .seeOther)
            #expect(try desk.replica.rows("action").count == 1)
            #expect(try desk.replica.status().pending == pending + 1)
        }
    }

    @Test("a recommendation whose text is a script shows as text, in the list and on its page")
    func outputEscaped() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            for path in [
                "/recommendations", "/recommendations/\(desk.recommendation)", "/recommendations?q=%3Cscript%3E",
            ] {
                let page = String(
                    buffer: try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]).body)
                #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(path)")
                #expect(!page.contains("<script"), "\(path)")
            }
        }
    }

    @Test("a form missing a required field shows the error summary and ties the message to the field")
    func formErrors() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let response = try await client.execute(
                uri: "/recommendations/\(desk.recommendation)/action", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "title=&dueDate=2027-02-30&csrf=\(desk.csrf(cookie))"))
            #expect(response.status == .unprocessableContent)
            let page = String(buffer: response.body)
            #expect(page.contains("class=\"error-summary\""))
            #expect(page.contains("href=\"#f-title\""))
            #expect(page.contains("aria-describedby=\"f-title-hint f-title-error\""))
            #expect(try desk.replica.rows("action").isEmpty)

            let badDate = try await client.execute(
                uri: "/recommendations/\(desk.recommendation)/action", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "title=Bill&dueDate=2027-02-30&csrf=\(desk.csrf(cookie))"))
            #expect(badDate.status == .unprocessableContent)
            #expect(String(buffer: badDate.body).contains("id=\"f-dueDate-error\""))
        }
    }

    @Test("the language is chosen per user, remembered in a cookie, and Arabic is right to left")
    func languageRemembered() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let chosen = try await client.execute(
                uri: "/language", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "language=ar&return=%2Frecommendations&csrf=\(desk.csrf(cookie))"))
            #expect(chosen.status == .seeOther)
            #expect(chosen.headers[.location] == "/recommendations")
            let language = try #require(chosen.headers[.setCookie])
            #expect(language.hasPrefix("followup_lang=ar"))
            let page = String(
                buffer: try await client.execute(
                    uri: "/recommendations", method: .get, headers: [.cookie: "\(cookie); followup_lang=ar"]
                ).body)
            #expect(page.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(page.contains(try Catalog(language: "ar")["recs_title"]))

            let elsewhere = try await client.execute(
                uri: "/language", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "language=fr&return=%2F%2Fevil.example&csrf=\(desk.csrf(cookie))"))
            #expect(elsewhere.headers[.location] == "/")
        }
    }

    @Test("forms and workflow moves are offered and accepted only where the replica's policy permits")
    func policyOnPages() async throws {
        let desk = try await DeskFixture.secretariat()
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            // The secretariat plans actions but does not assess (the NHRI's) nor submit (NGOs').
            let page = String(
                buffer: try await client.execute(
                    uri: "/recommendations/\(desk.recommendation)", method: .get, headers: [.cookie: cookie]
                ).body)
            #expect(page.contains("/recommendations/\(desk.recommendation)/action"))
            #expect(!page.contains("/recommendations/\(desk.recommendation)/assessment"))
            let assess = try await client.execute(
                uri: "/recommendations/\(desk.recommendation)/assessment", method: .get, headers: [.cookie: cookie])
            #expect(assess.status == .forbidden)

            // The secretariat assigns the recommendation from its page, picking the institution from a list.
            let ministry = try #require(try desk.replica.institutions().first { $0.org == "moj" })
            #expect(page.contains("/recommendations/\(desk.recommendation)/assignment"))
            let assigned = try await desk.post(
                client, "/recommendations/\(desk.recommendation)/assignment", cookie: cookie,
                form: "institution=\(ministry.id)&role=lead&focalPoint=Legal+unit&csrf=\(desk.csrf(cookie))")
            #expect(assigned.status == .seeOther)
            let assignment = try #require(try desk.replica.rows("assignment").first)
            #expect(assignment.values["institution_id"] == .text(ministry.id))
            #expect(assignment.values["focal_point"] == .text("Legal unit"))

            let action = try desk.replica.planAction(NewAction(recommendation: desk.recommendation, title: "Bill"))
            #expect(try desk.replica.allowedMoves("action", id: action) == ["submitted"])
            let skip = try await client.execute(
                uri: "/move", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "row=\(action)&table=action&state=published&csrf=\(desk.csrf(cookie))"))
            #expect(skip.status == .forbidden)
            let submit = try await client.execute(
                uri: "/move", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "row=\(action)&table=action&state=submitted&return=%2F&csrf=\(desk.csrf(cookie))"))
            #expect(submit.status == .seeOther)
            #expect(try desk.replica.row("action", id: action)?["state"] == .text("submitted"))
        }
    }
}
