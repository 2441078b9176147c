import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Desk

/// The user's language, kept by the replica for the signed-in user; and numbers and dates in
/// each language's form.
@Suite("The desk's languages")
struct DeskLanguageTests {
    @Test("the language is kept for the replica's user, without the cookie; another user has their own")
    func rememberedPerUser() async throws {
        let desk = try await DeskFixture.secretariat()
        let replica = desk.replica
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let chosen = try await desk.post(
                client, "/language", cookie: cookie, form: "language=ar&return=%2F&csrf=\(desk.csrf(cookie))")
            #expect(chosen.status == .seeOther)
            #expect(try replica.preference(DeskGuardMiddleware.languagePreference) == "ar")
            // Only the session cookie: the language comes from the replica.
            #expect(try await desk.page(client, "/sync", cookie: cookie).contains("dir=\"rtl\""))

            // Another account signs in on this replica: its own language (none yet, so the cookie's or English).
            let settings = try replica.settings()
            func signIn(_ user: String) throws {
                _ = try replica.adopt(
                    LoginResponse(
                        token: "token-\(user)", user: user, org: settings.org, orgKind: settings.orgKind,
                        replica: settings.replicaID, serverTime: 0))
            }
            try signIn("sami")
            #expect(try await desk.page(client, "/sync", cookie: cookie).contains("lang=\"en\" dir=\"ltr\""))
            #expect(
                try await desk.page(client, "/sync", cookie: "\(cookie); followup_lang=es").contains("lang=\"es\""))
            _ = try await desk.post(
                client, "/language", cookie: cookie, form: "language=fr&return=%2F&csrf=\(desk.csrf(cookie))")
            #expect(try await desk.page(client, "/sync", cookie: cookie).contains("lang=\"fr\""))

            // The first user comes back: Arabic again, whatever the browser's cookie says.
            try signIn(settings.userName)
            #expect(
                try await desk.page(client, "/sync", cookie: "\(cookie); followup_lang=fr").contains("lang=\"ar\""))
        }
    }

    @Test(
        "numbers, dates and moments are written in each language's form",
        arguments: [
            ("ar", "1,234,567", "30 يونيو، 2027"),
            ("en", "1,234,567", "June 30, 2027"),
            ("es", "1.234.567", "30 de junio de 2027"),
            ("fr", "1\u{202F}234\u{202F}567", "30 juin 2027"),
            ("ru", "1\u{00A0}234\u{00A0}567", "30 июня 2027"),
            ("zh", "1,234,567", "2027年6月30日"),
        ])
    func localeForms(language: String, number: String, date: String) throws {
        let catalog = try Catalog(language: language)
        #expect(catalog.number(1_234_567) == number)
        #expect(catalog.number(.integer(1_234_567)) == number)
        #expect(catalog.date("2027-06-30").hasPrefix(date), "\(catalog.date("2027-06-30"))")
        #expect(catalog.date("not a date") == "not a date")
        // A moment names its month in the language (Chinese writes 月 after its number).
        let moment = catalog.moment(millis: 1_800_000_000_000)
        let month = ["ar": "يناير", "en": "Jan", "es": "ene", "fr": "janv.", "ru": "янв.", "zh": "月"]
        #expect(moment.contains(month[language]!), "\(moment)")
        #expect(!catalog.byteCount(1_234_567).isEmpty)
    }

    @Test("a recommendation's page writes its numbers and dates in the reader's language")
    func pageInFrench() async throws {
        let desk = try await DeskFixture.secretariat()
        _ = try desk.replica.put(
            "action",
            fields: [
                "title": .text("Draft the bill"), "recommendation_id": .text(desk.recommendation),
                "due_date": .text("2027-06-30"), "budget_amount": .real(50000), "budget_currency": .text("EUR"),
            ])
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(
                client, "/recommendations/\(desk.recommendation)", cookie: "\(cookie); followup_lang=fr")
            #expect(page.contains("30 juin 2027"))
            #expect(page.contains("50\u{202F}000 EUR"))
            #expect(!page.contains("50000"))
        }
    }
}
