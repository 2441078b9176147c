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

    @Test(
        "the NHRI's desk serves a confidential submission's file opened under its name; a desk without the key says it is sealed and serves nothing"
    )
    func sealedFiles() async throws {
        let server = try await InProcessServer()
        try await server.storage.addOrganisation(id: "nhri", name: "NHRI", kind: .nhri)
        try await server.storage.addOrganisation(id: "ngo-watch", name: "Watch", kind: .ngo)
        func replica(_ user: String, _ org: String) async throws -> (Replica, SyncEngine) {
            try await server.replicaOnDisk(
                user: user, org: org, directory: try temporaryDirectory("desk-sealed-\(user)"))
        }
        let (secretariat, secretariatEngine) = try await replica("sara", "nmirf")
        let (nhri, nhriEngine) = try await replica("nadia", "nhri")
        let (ngo, ngoEngine) = try await replica("omar", "ngo-watch")
        let recommendation = try secretariat.put("recommendation", fields: ["text": .text("Protect witnesses")])
        _ = try await secretariatEngine.sync()
        _ = try await nhriEngine.sync()
        _ = try await ngoEngine.sync()
        let submission = try ngo.addSubmission(
            NewSubmission(recommendation: recommendation, text: "Witness W-4410 was threatened", confidential: true))
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("W-4410 photo".utf8)
        let path = try temporaryDirectory("desk-sealed-upload") + "/W-4410-injuries.png"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let attached = try ngo.attach(path, to: "submission:\(submission)")
        _ = try await ngoEngine.sync()
        _ = try await nhriEngine.sync()
        #expect(try ngo.status().pending == 0)
        // A second NHRI device, whose keys were never imported, holds the row and the sealed file.
        let (newDevice, _) = try await replica("nour", "nhri")
        #expect(try newDevice.evidencePath(ofAttachment: attached.id) != nil)

        let desk = try DeskFixture(replica: nhri, recommendation: recommendation)
        try await desk.application.test(.router) { client in
            let cookie = try await desk.enter(client)
            let page = try await desk.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(page.contains("href=\"/files/\(attached.id)\">W-4410-injuries.png</a>"))
            let opened = try await client.execute(
                uri: "/files/\(attached.id)", method: .get, headers: [.cookie: cookie])
            #expect(opened.status == .ok)
            #expect(Array(buffer: opened.body) == bytes)
            #expect(opened.headers[.contentType] == "image/png")
            #expect(opened.headers[.contentDisposition]?.contains("W-4410-injuries.png") == true)
        }
        let locked = try DeskFixture(replica: newDevice, recommendation: recommendation)
        try await locked.application.test(.router) { client in
            let cookie = try await locked.enter(client)
            let page = try await locked.page(client, "/recommendations/\(recommendation)", cookie: cookie)
            #expect(page.contains("Sealed file"))
            #expect(page.contains("no key on this computer opens it"))
            #expect(!page.contains("href=\"/files/\(attached.id)\""))
            // Neither the sealed name nor a name read from it is shown.
            let sealedName = try #require(AccessPolicy.text(newDevice.row("attachment", id: attached.id)?["file_name"]))
            #expect(SealedText.isSealed(sealedName))
            #expect(!page.contains(String(sealedName.suffix(40))))
            #expect(!page.contains("W-4410-injuries"))
            let refused = try await locked.page(client, "/files/\(attached.id)", cookie: cookie)
            #expect(refused.contains("sealed to the NHRI"))
            #expect(!refused.contains("followup-sealed-file/1"))
            let status = try await client.execute(
                uri: "/files/\(attached.id)", method: .get, headers: [.cookie: cookie])
            #expect(status.status == .forbidden)
        }
    }
}
