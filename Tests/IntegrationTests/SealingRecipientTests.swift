import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

@testable import Client

/// Who counts as the NHRI a confidential text is sealed to, when the server's operator (or the
/// secretariat) may list any organisation as one (protocol §19, "Pinning"; invariants 120-124).
@Suite("Sealing recipients: who counts as the NHRI")
struct SealingRecipientTests {
    /// A server with a secretariat, the NHRI and an NGO, each with a replica synced once, the
    /// NHRI's key published and the NGO's replica having accepted the NHRI on first use.
    struct Fixture {
        let server: InProcessServer
        let sara: (Replica, SyncEngine)
        let nadia: (Replica, SyncEngine)
        let omar: (Replica, SyncEngine)

        init() async throws {
            server = try await InProcessServer()
            try await server.storage.addOrganisation(id: "nhri", name: "NHRI", kind: .nhri)
            try await server.storage.addOrganisation(id: "ngo-watch", name: "Watch", kind: .ngo)
            sara = try await server.replica(user: "sara", org: "nmirf", clock: SystemWallClock())
            nadia = try await server.replica(user: "nadia", org: "nhri", clock: SystemWallClock())
            omar = try await server.replica(user: "omar", org: "ngo-watch", clock: SystemWallClock())
            for engine in [sara.1, nadia.1, omar.1] { _ = try await engine.sync() }
        }

        /// Another organisation with a replica that published its key.
        func organisation(_ id: String, kind: OrganisationKind, user: String) async throws -> (Replica, SyncEngine) {
            try await server.storage.addOrganisation(id: id, name: id, kind: kind)
            let made = try await server.replica(user: user, org: id, clock: SystemWallClock())
            _ = try await made.1.sync()
            return made
        }

        /// A confidential submission by the NGO, synced, and the fingerprints it is sealed to.
        func submit(_ text: String) async throws -> (id: String, fingerprints: [String]) {
            let id = try omar.0.put("submission", fields: ["text": .text(text), "confidential": .bool(true)])
            _ = try await omar.1.sync()
            #expect(try omar.0.status().pending == 0)
            let stored = try #require(try SealedSubmissionTests.raw(omar.0, id).flatMap(SealedText.init(value:)))
            return (id, stored.fingerprints)
        }
    }

    /// The fingerprint of `org`'s current key as `replica` holds it.
    static func fingerprint(_ org: String, on replica: Replica) throws -> String {
        try #require(try replica.organisationKeys().first { $0.org == org }?.fingerprint)
    }

    @Test(
        "an organisation the operator adds as a second NHRI gets nothing sealed to it and the user is warned, until trusted"
    )
    func secondNHRIWaitsForTrust() async throws {
        let fixture = try await Fixture()
        let (omar, omarSync) = fixture.omar
        let real = try Self.fingerprint("nhri", on: fixture.nadia.0)
        #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.recipient == .trusted)

        // The operator's `add-org --kind nhri`: an institution of kind nhri, its key published.
        let (eve, eveSync) = try await fixture.organisation("nhri-2", kind: .nhri, user: "eve")
        let fake = try Self.fingerprint("nhri-2", on: eve)
        let warned = try await omarSync.sync()
        #expect(warned.unconfirmedRecipients == ["nhri-2"])
        #expect(warned.unlistedRecipients.isEmpty && warned.changedKeys.isEmpty && warned.sealingBlock == nil)
        #expect(try omar.status().unconfirmedRecipients == ["nhri-2"])
        let listed = try #require(try omar.organisationKeys().first { $0.org == "nhri-2" })
        #expect(listed.recipient == .unconfirmed && listed.kind == "nhri")

        // The NGO's work goes on, sealed to the NHRI it trusts (and itself), not to the newcomer,
        // although the server hands the row to every organisation of kind nhri.
        let before = try await fixture.submit("Witness W-3 was threatened")
        #expect(before.fingerprints.contains(real) && !before.fingerprints.contains(fake))
        #expect(before.fingerprints.count == 2)
        _ = try await eveSync.sync()
        let seenByEve = try eve.row("submission", id: before.id)?["text"]
        #expect(seenByEve != nil && seenByEve != .text("Witness W-3 was threatened"))
        _ = try await fixture.nadia.1.sync()
        #expect(try fixture.nadia.0.row("submission", id: before.id)?["text"] == .text("Witness W-3 was threatened"))

        // A wrong fingerprint accepts nothing; the right one, confirmed out of band, does.
        #expect(throws: ReplicaError.self) { try omar.trustKey(org: "nhri-2", fingerprint: real) }
        #expect(try omar.status().unconfirmedRecipients == ["nhri-2"])
        try omar.trustKey(org: "nhri-2", fingerprint: OrganisationPublicKey.display(fake))
        #expect(try omar.status().unconfirmedRecipients.isEmpty)
        #expect(try await omarSync.sync().unconfirmedRecipients.isEmpty)
        let after = try await fixture.submit("Witness W-4 moved house")
        #expect(Set(after.fingerprints).isSuperset(of: [real, fake]) && after.fingerprints.count == 3)
        _ = try await eveSync.sync()
        #expect(try eve.row("submission", id: after.id)?["text"] == .text("Witness W-4 moved house"))
        #expect(try eve.row("submission", id: before.id)?["text"] == seenByEve)
    }

    @Test(
        "an NHRI institution re-pointed to another organisation is caught: the newcomer gets nothing, the real NHRI is kept and the user told"
    )
    func repointedInstitution() async throws {
        let fixture = try await Fixture()
        let (sara, saraSync) = fixture.sara
        let (omar, omarSync) = fixture.omar
        let real = try Self.fingerprint("nhri", on: fixture.nadia.0)
        let (front, _) = try await fixture.organisation("ngo-front", kind: .ngo, user: "fred")
        let fake = try Self.fingerprint("ngo-front", on: front)
        _ = try await omarSync.sync()

        // The secretariat re-points the NHRI's institution row to an organisation it controls.
        let institution = try #require(
            try sara.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM institution WHERE org_id = 'nhri' AND _deleted IS NULL")
            })
        _ = try sara.put("institution", id: institution, fields: ["org_id": .text("ngo-front")])
        #expect(try await saraSync.sync().accepted == 1)
        let warned = try await omarSync.sync()
        #expect(warned.unconfirmedRecipients == ["ngo-front"])
        #expect(warned.unlistedRecipients == ["nhri"])
        let status = try omar.status()
        #expect(status.unconfirmedRecipients == ["ngo-front"] && status.unlistedRecipients == ["nhri"])

        // Confidential texts still go to the NHRI the replica accepted, never to the newcomer.
        let sealed = try await fixture.submit("Defender D-9 was followed")
        #expect(sealed.fingerprints.contains(real) && !sealed.fingerprints.contains(fake))

        // Forgetting the real NHRI does not reopen trust on first use: confidential edits wait.
        try omar.forgetRecipient(org: "nhri")
        #expect(throws: ReplicaError.self) { try omar.forgetRecipient(org: "nhri") }
        _ = try omar.put("submission", fields: ["text": .text("Defender D-10"), "confidential": .bool(true)])
        let blocked = try await omarSync.sync()
        #expect(blocked.sealingBlock == .unconfirmedNHRI(orgs: ["ngo-front"]))
        #expect(try omar.status().waitingForKeys == 1)
    }

    @Test(
        "a kind changed to nhri is caught, the author's own organisation is never taken for an NHRI, and a deleted NHRI is kept and flagged"
    )
    func kindsAndDeletion() async throws {
        let fixture = try await Fixture()
        let (sara, saraSync) = fixture.sara
        let (omar, omarSync) = fixture.omar
        let real = try Self.fingerprint("nhri", on: fixture.nadia.0)
        let (bea, _) = try await fixture.organisation("ngo-b", kind: .ngo, user: "bea")
        let other = try Self.fingerprint("ngo-b", on: bea)
        _ = try await saraSync.sync()
        func institution(_ org: String) throws -> String {
            try #require(
                try sara.read { db in
                    try String.fetchOne(
                        db, sql: "SELECT id FROM institution WHERE org_id = ? AND _deleted IS NULL", arguments: [org])
                })
        }
        _ = try sara.put("institution", id: try institution("ngo-b"), fields: ["kind": .text("nhri")])
        _ = try sara.put("institution", id: try institution("ngo-watch"), fields: ["kind": .text("nhri")])
        #expect(try await saraSync.sync().accepted == 2)
        #expect(try await omarSync.sync().unconfirmedRecipients == ["ngo-b"])
        let first = try await fixture.submit("Witness W-11")
        #expect(first.fingerprints.contains(real) && !first.fingerprints.contains(other))
        #expect(first.fingerprints.count == 2)

        // The real NHRI's institution row is deleted: it still gets the texts, and the user is told.
        try sara.delete("institution", id: try institution("nhri"))
        #expect(try await saraSync.sync().accepted == 1)
        let warned = try await omarSync.sync()
        #expect(warned.unlistedRecipients == ["nhri"] && warned.unconfirmedRecipients == ["ngo-b"])
        #expect(try omar.organisationKeys().first { $0.org == "nhri" }?.recipient == .unlisted)
        let second = try await fixture.submit("Witness W-12")
        #expect(second.fingerprints.contains(real) && !second.fingerprints.contains(other))
    }

    @Test("the CLI flags NHRIs listed at first sight and seals once the user trusts one")
    func commandLineFirstSight() async throws {
        let members = SealedSubmissionTests.members + [LiveServer.Member(org: "nhri-2", kind: .nhri, user: "eve")]
        let (_, data) = try await LiveServer.prepare("sealed-recipients-cli", members: members)
        let server = try await ServerProcess.start(data: data + "/server")
        defer { server.stop() }
        func followup(_ user: String, _ arguments: String...) throws -> (Int32, String) {
            try SealedSubmissionTests.followup(data, user, arguments)
        }
        #expect(try SealedSubmissionTests.initialise(["sara", "nadia", "eve", "omar"], data: data, url: server.url))
        for user in ["sara", "nadia", "eve", "omar"] { _ = try followup(user, "sync") }
        let rec = try #require(
            try followup("sara", "put", "recommendation", "text=Protect witnesses").1.split(separator: "\n").first)
        _ = try followup("sara", "sync")
        _ = try followup("omar", "sync")

        // Two organisations are listed as NHRIs at first sight: neither is taken on trust.
        let status = try followup("omar", "status").1
        #expect(status.contains("WARNING   nhri is listed as an NHRI but not accepted here"))
        #expect(status.contains("WARNING   nhri-2 is listed as an NHRI but not accepted here"))
        #expect(try followup("omar", "keys").1.contains("NOT AN ACCEPTED NHRI"))
        #expect(
            try followup(
                "omar", "submissions", "add", "--rec", String(rec), "--text", "Witness W-21 fears reprisals",
                "--confidential"
            ).0 == 0)
        _ = try followup("omar", "sync")
        let omar = try Replica(directory: data + "/omar")
        #expect(try omar.status().waitingForKeys == 1)
        #expect(try omar.sealingBlock() == .unconfirmedNHRI(orgs: ["nhri", "nhri-2"]))

        // The NGO confirms the real NHRI's fingerprint out of band and trusts it: what waited is
        // sealed to it (and the NGO), not to the other.
        let real = try Self.fingerprint("nhri", on: try Replica(directory: data + "/nadia"))
        #expect(try followup("omar", "keys", "trust", "nhri", OrganisationPublicKey.display(real)).0 == 0)
        _ = try followup("omar", "sync")
        #expect(try omar.status().pending == 0)
        let id = try #require(try omar.submissions(matching: "W-21").first?.id)
        let sealed = try #require(try SealedSubmissionTests.raw(omar, id).flatMap(SealedText.init(value:)))
        #expect(sealed.fingerprints.count == 2 && sealed.fingerprints.contains(real))
        let after = try followup("omar", "status").1
        #expect(!after.contains("WARNING   nhri is") && after.contains("WARNING   nhri-2 is"))
    }

    @Test(
        "two NHRI devices that publish a key at the same time agree on the current one; the other device is told to import it"
    )
    func twoDevicesPublishAtOnce() async throws {
        let server = try await InProcessServer()
        try await server.storage.addOrganisation(id: "nhri", name: "NHRI", kind: .nhri)
        try await server.storage.addOrganisation(id: "ngo-watch", name: "Watch", kind: .ngo)
        let (nadia, nadiaSync) = try await server.replica(user: "nadia", org: "nhri", clock: SystemWallClock())
        let (nour, nourSync) = try await server.replica(user: "nour", org: "nhri", clock: SystemWallClock())
        let (nina, ninaSync) = try await server.replica(user: "nina", org: "nhri", clock: SystemWallClock())
        // Both made a key pair at init and publish it before either has seen the other's.
        #expect(try nadia.settleKeys().published)
        #expect(try nour.settleKeys().published)
        _ = try await nadiaSync.sync()
        _ = try await nourSync.sync()
        let nadiaReport = try await nadiaSync.sync()
        let nourReport = try await nourSync.sync()
        // A third device, made at the same time, syncs only now: it keeps the published keys, its
        // own key pair stays unpublished and unused, and it is told to import the key file.
        let ninaReport = try await ninaSync.sync()
        #expect(ninaReport.ownKeysElsewhere.count == 2)
        #expect(try nina.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM organisation_key") } == 2)
        #expect(try nina.status().pending == 0)

        // The current key is the latest row, the same on both devices.
        let current = try Self.fingerprint("nhri", on: nadia)
        #expect(try Self.fingerprint("nhri", on: nour) == current)
        let nadiaHolds = try #require(try nadia.organisationKeys().first { $0.org == "nhri" }).privateKeyHere
        let (winner, loser, loserReport, winnerReport) =
            nadiaHolds ? (nadia, nour, nourReport, nadiaReport) : (nour, nadia, nadiaReport, nourReport)
        let loserSync = nadiaHolds ? nourSync : nadiaSync
        let lost = try #require(try loser.read { db in try Replica.privateKeys(db).first?.fingerprint })
        #expect(try winner.organisationKeys().first { $0.org == "nhri" }?.trust == .trusted)

        // The device whose key lost is told: it lacks the current key, and seals nothing to a key
        // it cannot vouch for; the other lacks the losing key, which someone may have sealed to.
        #expect(loserReport.ownKeysElsewhere == [current])
        #expect(winnerReport.ownKeysElsewhere == [lost])
        let view = try #require(try loser.organisationKeys().first { $0.org == "nhri" })
        #expect(view.trust == .changed && !view.privateKeyHere)
        let block = try loser.read { db in try Replica.sealingRecipients(db, pinning: false) }
        #expect(block == .failure(.ownKeyElsewhere(org: "nhri", current: current)))

        // An NGO seals to the current key; the losing device reads it once it imports the key file.
        let (omar, omarSync) = try await server.replica(user: "omar", org: "ngo-watch", clock: SystemWallClock())
        _ = try await omarSync.sync()
        let id = try omar.put("submission", fields: ["text": .text("Witness W-8"), "confidential": .bool(true)])
        _ = try await omarSync.sync()
        let stored = try #require(try SealedSubmissionTests.raw(omar, id).flatMap(SealedText.init(value:)))
        #expect(stored.fingerprints.contains(current) && !stored.fingerprints.contains(lost))
        _ = try await loserSync.sync()
        #expect(try loser.row("submission", id: id)?["text"] != .text("Witness W-8"))
        #expect(
            try loser.importKeys(try winner.exportKeys(passphrase: "a passphrase"), passphrase: "a passphrase") >= 1)
        #expect(try loser.row("submission", id: id)?["text"] == .text("Witness W-8"))
        #expect(try loser.organisationKeys().first { $0.org == "nhri" }?.trust == .trusted)
        #expect(try await loserSync.sync().ownKeysElsewhere.isEmpty)
        #expect(try loser.read { db in try Replica.sealingRecipients(db, pinning: false) }.map(\.count) == .success(1))
    }
}
