import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Shared
import TestSupport
import Testing

@testable import Desk

/// The NHRI's desk shows confidential submissions opened (they travel sealed, protocol §19).
@Suite("The desk and sealed submissions")
struct DeskSealedTests {
    @Test("the NHRI's desk shows a confidential submission's text opened, on its home and the recommendation's page")
    func nhriReadsOpened() async throws {
        let server = try await InProcessServer()
        try await server.storage.addOrganisation(id: "nhri", name: "NHRI", kind: .nhri)
        try await server.storage.addOrganisation(id: "ngo-watch", name: "Watch", kind: .ngo)
        let (secretariat, secretariatEngine) = try await server.replica(
            user: "sara", org: "nmirf", clock: SystemWallClock())
        let (nhri, nhriEngine) = try await server.replica(user: "nadia", org: "nhri", clock: SystemWallClock())
        let (ngo, ngoEngine) = try await server.replica(user: "omar", org: "ngo-watch", clock: SystemWallClock())
        _ = try await secretariatEngine.sync()
        let recommendation = try secretariat.put("recommendation", fields: ["text": .text("Protect witnesses")])
        _ = try await secretariatEngine.sync()
        _ = try await nhriEngine.sync()
        _ = try await ngoEngine.sync()
        let secret = "Witness W-4410 was threatened"
        let submission = try ngo.addSubmission(
            NewSubmission(recommendation: recommendation, text: secret, confidential: true))
        _ = try await ngoEngine.sync()
        _ = try await nhriEngine.sync()
        #expect(try ngo.status().pending == 0)
        #expect(try nhri.row("submission", id: submission)?["text"] == .text(secret))

        let desk = try DeskFixture(replica: nhri, recommendation: recommendation)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            for path in ["/", "/recommendations/\(recommendation)"] {
                let page = try await desk.page(client, path, cookie: cookie)
                #expect(page.contains(secret), "\(path)")
                #expect(!page.contains(SealedText.prefix), "\(path)")
            }
        }
    }
}
