import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Server
import Shared
import TestSupport
import Testing

@testable import Desk

/// The desk's history of each row (protocol §18.6), the organisations' key fingerprints with a
/// changed key flagged and trusted through a form (§19), and the audit log's check (§18.5).
@Suite("The desk's history and keys")
struct DeskTrustTests {
    static let members = [
        LiveServer.Member(org: "nmirf", kind: .secretariat, user: "sara"),
        LiveServer.Member(org: "nhri", kind: .nhri, user: "nadia"),
        LiveServer.Member(org: "ngo-watch", kind: .ngo, user: "omar"),
    ]

    @Test(
        "offline, the history shows the edits waiting here, escaped, says the server was not reached, and refuses rows not held"
    )
    func offlineHistory() async throws {
        let desk = try await DeskFixture.secretariat()
        // A row from a server that accepted a terminal escape before the rules refused it.
        let old = UUIDv7.make()
        let seq = try desk.replica.settings().cursor + 1
        let version = FieldVersion(hlc: HLCTimestamp(physical: 1_700_000_000_000), writer: UUIDv7.make()).description
        _ = try desk.replica.apply(
            PullResponse(
                changes: [
                    RowChange(
                        seq: seq, table: "recommendation", row: old, kind: .row,
                        fields: ["text": .text("Clear \u{1B}[2J the screen <b>now</b>")], versions: ["text": version])
                ], cursor: seq, more: false, org: "nmirf", orgKind: "secretariat", serverTime: 1_800_000_000_000))
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let form = try await desk.page(client, "/recommendations/\(desk.recommendation)/assignment", cookie: cookie)
            #expect(form.contains("<form"))
            #expect(!form.contains("error-summary"))
            // (Both forms showed the error summary's empty box before any error; no longer.)
            let picker = try await desk.page(client, "/evidence/recommendation/\(desk.recommendation)", cookie: cookie)
            #expect(picker.contains("type=\"file\""))
            #expect(!picker.contains("error-summary"))
            let recommendation = try await desk.page(client, "/recommendations/\(desk.recommendation)", cookie: cookie)
            #expect(recommendation.contains("href=\"/history/recommendation/\(desk.recommendation)\""))

            let page = try await desk.page(client, "/history/recommendation/\(desk.recommendation)", cookie: cookie)
            #expect(page.contains("<h1 class=\"heading-l\">History</h1>"))
            #expect(page.contains("The server could not be reached"))
            #expect(page.contains("waiting on this computer"))
            #expect(page.contains("&lt;script&gt;alert"))
            #expect(!page.contains("<script>"))
            #expect(page.contains(">Text</td>"))
            #expect(page.contains(">sara</td>"))
            #expect(page.contains(">Secretariat</td>"))

            let escaped = try await desk.page(client, "/history/recommendation/\(old)", cookie: cookie)
            #expect(!escaped.contains("\u{1B}"))
            #expect(escaped.contains("Clear \\u{1B}[2J the screen &lt;b&gt;now&lt;/b&gt;"))
            #expect(escaped.contains("No change is recorded yet."))

            for path in [
                "/history/recommendation/\(UUIDv7.make())", "/history/action/\(desk.recommendation)",
                "/history/organisation_key/\(desk.recommendation)", "/history/nosuchtable/\(desk.recommendation)",
                "/history/user_preference/x",
            ] {
                let response = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
                #expect(response.status == .notFound, "\(path)")
                #expect(!String(buffer: response.body).contains("alert"), "\(path)")
            }
            // Without the cookie, nothing.
            let anonymous = try await client.execute(
                uri: "/history/recommendation/\(desk.recommendation)", method: .get)
            #expect(anonymous.status == .forbidden)
        }
    }

    @Test("online, the history names who changed which field and when, with the values this replica knows or can open")
    func onlineHistory() async throws {
        try await LiveServer.run("desk-history", members: Self.members) { server in
            try await server.storage.addUser(
                name: "ola", org: "ngo-watch",
                passwordHash: try await Credentials(bcryptCost: 4).hashPassword("ola-pass"))
            let sara = try await server.enrol("sara")
            let nadia = try await server.enrol("nadia")
            let omar = try await server.enrol("omar")
            _ = try await sara.syncWithServer()
            _ = try await nadia.syncWithServer()
            _ = try await omar.syncWithServer()
            let recommendation = try sara.put("recommendation", fields: ["text": .text("First <i>wording</i>")])
            _ = try await sara.syncWithServer()
            _ = try sara.put("recommendation", id: recommendation, fields: ["text": .text("Second wording")])
            _ = try await sara.syncWithServer()
            _ = try sara.put("recommendation", id: recommendation, fields: ["text": .text("Third, not sent yet")])
            _ = try await omar.syncWithServer()
            let secret = "Witness W-77 was threatened"
            let submission = try omar.addSubmission(
                NewSubmission(recommendation: recommendation, text: secret, confidential: true))
            _ = try await omar.syncWithServer()
            _ = try await nadia.syncWithServer()
            let ola = try await server.enrol("ola")
            _ = try await ola.syncWithServer()

            // The secretariat: its own two accepted changes with their values, then the one waiting.
            let saraDesk = try DeskFixture(replica: sara, recommendation: recommendation)
            try await saraDesk.application.test(.router) { client in
                let cookie = try await saraDesk.enter(client)
                let page = try await saraDesk.page(client, "/history/recommendation/\(recommendation)", cookie: cookie)
                #expect(!page.contains("could not be reached"))
                #expect(page.contains("<span class=\"tag tag--state\">accepted by the server</span>"))
                #expect(page.contains("<strong class=\"tag tag--offline\">waiting on this computer</strong>"))
                #expect(page.contains("First &lt;i&gt;wording&lt;/i&gt;"))
                #expect(page.contains("Second wording"))
                #expect(page.contains("Third, not sent yet"))
                #expect(page.contains(">NMIRF</td>"))
                #expect(page.contains(">sara</td>"))
                // The latest signed head this replica saw.
                #expect(page.contains("The latest signed log this computer has seen holds"))
            }
            // The NGO did not write the first value and keeps only the current one.
            let omarDesk = try DeskFixture(replica: omar, recommendation: recommendation)
            try await omarDesk.application.test(.router) { client in
                let cookie = try await omarDesk.enter(client)
                let page = try await omarDesk.page(client, "/history/recommendation/\(recommendation)", cookie: cookie)
                #expect(page.contains("replaced by a later change"))
                #expect(page.contains("Second wording"))
                #expect(!page.contains("First"))
                #expect(!page.contains("Third"))
                let detail = try await omarDesk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
                #expect(detail.contains("href=\"/history/submission/\(submission)\""))
            }
            // The NHRI opens the sealed text; another device of the NGO, without its keys, cannot.
            for (replica, opened) in [(nadia, true), (ola, false)] {
                let desk = try DeskFixture(replica: replica, recommendation: recommendation)
                try await desk.application.test(.router) { client in
                    let cookie = try await desk.enter(client)
                    let page = try await desk.page(client, "/history/submission/\(submission)", cookie: cookie)
                    #expect(page.contains(">omar</td>"))
                    #expect(page.contains(secret) == opened)
                    #expect(page.contains("sealed: this computer cannot open it") == !opened)
                    #expect(!page.contains(SealedText.prefix))
                    let detail = try await desk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
                    #expect(detail.contains(secret) == opened)
                    #expect(!detail.contains(SealedText.prefix))
                }
            }
        }
    }

    @Test(
        "a changed key is flagged on the keys and home pages and trusted only through the form with the right fingerprint"
    )
    func changedKeyTrusted() async throws {
        try await LiveServer.run("desk-keys", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            let first = try #require(try omar.organisationKeys().first { $0.org == "nhri" })
            let desk = try DeskFixture(replica: omar, recommendation: "")
            try await desk.application.test(.router) { client in
                let cookie = try await desk.enter(client)
                let keys = try await desk.page(client, "/keys", cookie: cookie)
                #expect(keys.contains(OrganisationPublicKey.display(first.fingerprint)))
                #expect(keys.contains(">trusted<"))
                #expect(!keys.contains("A key changed"))
                #expect(!keys.contains("error-summary"))
                let serverKey = try #require(try omar.pinnedServerKey())
                #expect(keys.contains(SignedTreeHead.fingerprint(ofKey: serverKey)))
                #expect(try await desk.page(client, "/", cookie: cookie).contains("href=\"/keys\""))
                #expect(!(try await desk.page(client, "/", cookie: cookie).contains("A key changed")))

                let rotated = try nadia.rotateKey()
                _ = try await nadia.syncWithServer()
                _ = try await omar.syncWithServer()
                #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.trust == .changed)
                let changed = try await desk.page(client, "/keys", cookie: cookie)
                #expect(changed.contains("A key changed"))
                #expect(changed.contains("CHANGED: not used"))
                #expect(changed.contains(OrganisationPublicKey.display(rotated.fingerprint)))
                #expect(changed.contains(OrganisationPublicKey.display(first.fingerprint)))
                #expect(changed.contains("action=\"/keys\""))
                let home = try await desk.page(client, "/", cookie: cookie)
                #expect(home.contains("A key changed"))
                #expect(home.contains("The key of NHRI changed"))

                // Without the token: refused, nothing trusted.
                let forged = try await desk.post(
                    client, "/keys", cookie: cookie, form: "org=nhri&fingerprint=\(rotated.fingerprint)")
                #expect(forged.status == .forbidden)
                #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.trust == .changed)
                let csrf = desk.csrf(cookie)
                // The old fingerprint, or none: the error beside the field, nothing trusted.
                for typed in [first.fingerprint, ""] {
                    let wrong = try await desk.post(
                        client, "/keys", cookie: cookie, form: "csrf=\(csrf)&org=nhri&fingerprint=\(typed)")
                    #expect(wrong.status == .unprocessableContent)
                    let body = String(buffer: wrong.body)
                    #expect(body.contains("class=\"error-summary\""))
                    #expect(body.contains("href=\"#f-fingerprint-"))
                    #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.trust == .changed)
                }
                // An organisation whose key did not change: nothing to trust.
                let unchanged = try await desk.post(
                    client, "/keys", cookie: cookie, form: "csrf=\(csrf)&org=ngo-watch&fingerprint=00")
                #expect(unchanged.status == .notFound)
                // The fingerprint read out of band, in groups of four.
                let typed = OrganisationPublicKey.display(rotated.fingerprint).replacingOccurrences(of: " ", with: "+")
                let trusted = try await desk.post(
                    client, "/keys", cookie: cookie, form: "csrf=\(csrf)&org=nhri&fingerprint=\(typed)")
                #expect(trusted.status == .seeOther)
                #expect(trusted.headers[.location] == "/keys?notice=notice_key_trusted")
                #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.trust == .trusted)
                #expect(!(try await desk.page(client, "/", cookie: cookie).contains("A key changed")))
            }
        }
    }

    @Test(
        "an organisation newly listed as the NHRI is flagged on the keys and home pages and confirmed through the form")
    func unconfirmedRecipientConfirmed() async throws {
        try await LiveServer.run("desk-recipients", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            _ = try await nadia.syncWithServer()
            let omar = try await server.enrol("omar")
            _ = try await omar.syncWithServer()
            // The operator lists a second NHRI, whose first device publishes its key.
            try await server.storage.addOrganisation(id: "nhri-2", name: "Second NHRI", kind: .nhri)
            try await server.storage.addUser(
                name: "eve", org: "nhri-2", passwordHash: try await Credentials(bcryptCost: 4).hashPassword("eve-pass"))
            let eve = try await server.enrol("eve")
            _ = try await eve.syncWithServer()
            _ = try await omar.syncWithServer()
            let listed = try #require(try omar.organisationKeys().first { $0.org == "nhri-2" })
            #expect(listed.recipient == .unconfirmed)
            let desk = try DeskFixture(replica: omar, recommendation: "")
            try await desk.application.test(.router) { client in
                let cookie = try await desk.enter(client)
                let keys = try await desk.page(client, "/keys", cookie: cookie)
                #expect(keys.contains("An organisation newly listed as the NHRI"))
                #expect(keys.contains("NOT CONFIRMED as the NHRI: not used"))
                #expect(keys.contains("Second NHRI is listed as a national human rights institution"))
                #expect(!keys.contains("A key changed"))
                let home = try await desk.page(client, "/", cookie: cookie)
                #expect(home.contains("Second NHRI is newly listed as the NHRI"))
                // Another organisation's fingerprint is refused; the newcomer's, read out of band, is accepted.
                let csrf = desk.csrf(cookie)
                let real = try #require(try omar.organisationKeys().first { $0.org == "nhri" }).fingerprint
                let wrong = try await desk.post(
                    client, "/keys", cookie: cookie, form: "csrf=\(csrf)&org=nhri-2&fingerprint=\(real)")
                #expect(wrong.status == .unprocessableContent)
                #expect(try omar.organisationKeys().first { $0.org == "nhri-2" }?.recipient == .unconfirmed)
                let confirmed = try await desk.post(
                    client, "/keys", cookie: cookie, form: "csrf=\(csrf)&org=nhri-2&fingerprint=\(listed.fingerprint)")
                #expect(confirmed.status == .seeOther)
                #expect(try omar.organisationKeys().first { $0.org == "nhri-2" }?.recipient == .trusted)
                #expect(!(try await desk.page(client, "/", cookie: cookie).contains("newly listed as the NHRI")))
            }
        }
    }

    @Test("the audit log is checked from the keys page with the token, and the result shown")
    func auditVerified() async throws {
        try await LiveServer.run("desk-audit", members: Self.members) { server in
            let sara = try await server.enrol("sara")
            _ = try sara.put("recommendation", fields: ["text": .text("Audit me")])
            _ = try await sara.syncWithServer()
            _ = try sara.put("recommendation", fields: ["text": .text("And me")])
            _ = try await sara.syncWithServer()
            let desk = try DeskFixture(replica: sara, recommendation: "")
            try await desk.application.test(.router) { client in
                let cookie = try await desk.enter(client)
                #expect(
                    try await desk.page(client, "/keys", cookie: cookie).contains("Not checked since the desk started.")
                )
                let forged = try await desk.post(client, "/keys/verify", cookie: cookie, form: "")
                #expect(forged.status == .forbidden)
                #expect(
                    try await desk.page(client, "/keys", cookie: cookie).contains("Not checked since the desk started.")
                )
                let verified = try await desk.post(
                    client, "/keys/verify", cookie: cookie, form: "csrf=\(desk.csrf(cookie))")
                #expect(verified.status == .seeOther)
                let keys = try await desk.page(client, "/keys", cookie: cookie)
                #expect(keys.contains("Verified"))
                #expect(keys.contains("the 2 changes this computer sent are in the log"))
            }
        }
    }
}
