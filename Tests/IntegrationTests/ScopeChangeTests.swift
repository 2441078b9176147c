import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Server

/// Enrols the secretariat (sara) and the Ministry of Justice (malik) on `server`, assigns a new
/// recommendation to the ministry and syncs both; answers the ministry's replica and the id.
func assignedMinistry(_ server: LiveServer) async throws -> (malik: Replica, recommendation: String) {
    let data = server.data
    let sara = try await server.enrol("sara")
    let malik = try await server.enrol("malik")
    try await followup(["--replica", data + "/sara", "sync"])
    let recommendation = try sara.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
    try await followup(["--replica", data + "/sara", "assign", recommendation, "--to", "moj", "--lead"])
    try await followup(["--replica", data + "/sara", "sync"])
    try await followup(["--replica", data + "/malik", "sync"])
    return (malik, recommendation)
}

/// Refused edits, forged identities, disabled accounts and moved users, through the real server.
@Suite("Refusals and scope changes through the real server")
struct ScopeChangeTests {
    @Test("a refused offline edit is set aside and shown, the row shows the server's value, the rest is accepted")
    func refusedOfflineEdit() async throws {
        try await LiveServer.run("refused", members: Cast.liveMembers) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            let (malik, rec) = try await assignedMinistry(server)

            // Offline, the ministry plans two actions and, between them, rewrites the recommendation.
            let first = UUIDv7.make()
            let second = UUIDv7.make()
            try await followup([
                "--replica", data + "/malik", "put", "action", first, "title=Draft the bill",
                "recommendation_id=\(rec)",
            ])
            try await followup(["--replica", data + "/malik", "put", "recommendation", rec, "text=Ratify it later"])
            try await followup([
                "--replica", data + "/malik", "put", "action", second, "title=Train prison staff",
                "recommendation_id=\(rec)",
            ])
            #expect(try malik.row("recommendation", id: rec)?["text"] == .text("Ratify it later"))
            try await followup(["--replica", data + "/malik", "sync"])

            // The rest of the push was accepted.
            let snapshot = try await ServerSnapshot.of(storage)
            #expect(snapshot.rows["action"]?[first]?["title"] == .text("Draft the bill"))
            #expect(snapshot.rows["action"]?[second]?["title"] == .text("Train prison staff"))
            // The row shows the server's value again; the refused edit waits with its reason.
            #expect(try malik.row("recommendation", id: rec)?["text"] == .text("Ratify OPCAT"))
            let status = try malik.status()
            #expect(status.pending == 0)
            #expect(status.rejected == 1)
            let refused = try #require(try malik.rejectedOperations().first)
            #expect(refused.code == .forbidden)
            #expect(refused.operation.fields["text"] == .text("Ratify it later"))

            // `followup rejected` shows it with the reason; `rejected discard` drops it.
            let listed = try Executables.run("followup", ["--replica", data + "/malik", "rejected"])
            #expect(listed.status == 0)
            #expect(listed.output.contains(refused.operation.id))
            #expect(listed.output.contains("forbidden"))
            #expect(listed.output.contains("changed by secretariat"))
            let shown = try Executables.run("followup", ["--replica", data + "/malik", "status"])
            #expect(shown.output.contains("rejected  1"))
            try await followup(["--replica", data + "/malik", "rejected", "discard", refused.operation.id])
            #expect(try malik.status().rejected == 0)
            #expect(try malik.row("recommendation", id: rec)?["text"] == .text("Ratify OPCAT"))
            #expect(
                try malik.digest() == (try await storage.digest(visibleTo: Viewer(org: "moj", role: .ministry))))

            // Refused in the middle of its own pending edits of the same row, pushed one by one:
            // the row returns to the server's state with the later pending edit still on top.
            let replica = try Replica(directory: data + "/malik")
            _ = try replica.put("action", id: first, fields: ["state": .text("submitted")])
            _ = try replica.put("action", id: first, fields: ["state": .text("published")])
            _ = try replica.put("action", id: first, fields: ["description": .text("Consulted the bar")])
            var engine = SyncEngine(
                replica: replica,
                transport: HTTPSyncTransport(baseURL: url, token: try #require(try replica.settings().token)))
            engine.pushBatchSize = 1
            let report = try await engine.push()
            #expect(report.accepted == 2 && report.rejected == 1)
            let row = try #require(try replica.row("action", id: first))
            #expect(row["state"] == .text("submitted"))
            #expect(row["description"] == .text("Consulted the bar"))
            #expect(try replica.rejectedOperations().first?.code == .forbidden)
            _ = try await engine.sync()
            #expect(
                try replica.digest() == (try await storage.digest(visibleTo: Viewer(org: "moj", role: .ministry))))

            // In one push, a refusal followed by an accepted edit of the same row: the restored
            // row keeps the accepted edit (the refusal's `current` predates it).
            _ = try replica.put("action", id: first, fields: ["state": .text("published")])
            _ = try replica.put("action", id: first, fields: ["description": .text("Bill tabled")])
            engine.pushBatchSize = 10
            let both = try await engine.push()
            #expect(both.accepted == 1 && both.rejected == 1)
            #expect(try replica.row("action", id: first)?["description"] == .text("Bill tabled"))
            #expect(try replica.row("action", id: first)?["state"] == .text("submitted"))
        }
    }

    @Test("identity in the payload is never trusted: owner, author, organisation and replica")
    func forgedIdentity() async throws {
        try await LiveServer.run("forged", members: Cast.liveMembers) { server in
            let (storage, url) = (server.storage, server.url)
            let omar = try await Account(user: "omar", org: "ngo-a", url: url)
            let olga = try await Account(user: "olga", org: "ngo-b", url: url)
            let sealed = SealedText.sample("Witness W2")
            let secret = try await olga.create("submission", ["text": .text(sealed), "confidential": .bool(true)])
            let logged = try await storage.operationCount()

            // Server-managed columns cannot be written.
            for column in ["owner_org", "created_by"] {
                let verdict = try await omar.write(
                    "submission", UUIDv7.make(), ["text": .text("x"), column: .text("ngo-b")])
                #expect(verdict.code == .readOnlyColumn)
            }
            // Author and organisation in the payload are replaced by the session's.
            var claimed = omar.operation("submission", UUIDv7.make(), ["text": .text("Mine")])
            claimed.author = "olga"
            claimed.org = "nhri"
            let verdict = try await omar.transport.push(PushRequest(ops: [claimed])).verdicts[0]
            #expect(verdict.status == .accepted)
            let stored = try #require(
                try await storage.operations(after: 0, limit: 5_000).operations.first { $0.id == claimed.id })
            #expect(stored.author == "omar" && stored.org == "ngo-a")
            #expect(stored.fields["owner_org"] == .text("ngo-a"))
            // Another replica's id is refused.
            let borrowed = SyncOperation(
                id: UUIDv7.make(), table: "submission", row: UUIDv7.make(), kind: .upsert,
                fields: ["text": .text("As olga")], hlc: claimed.hlc, replica: olga.replica)
            #expect(try await omar.transport.push(PushRequest(ops: [borrowed])).verdicts[0].code == .forgedReplica)
            // A guessed id of another NGO's confidential submission: refused, and not revealed.
            let guessed = try await omar.write(
                "submission", secret, ["text": .text(SealedText.sample("Overwritten"))])
            #expect(guessed.code == .forbidden)
            #expect(guessed.current?.kind == .purge)
            #expect(guessed.current?.fields.isEmpty == true)
            let deleting = try await omar.transport.push(
                PushRequest(ops: [omar.operation("submission", secret, delete: true)])
            ).verdicts[0]
            #expect(deleting.code == .forbidden)
            // Whatever it claims, omar's pull holds its own rows and no one else's confidential one.
            let pulled = try await omar.pullEverything()
            #expect(pulled[secret] == nil)
            #expect(pulled[claimed.row] != nil)
            #expect(try await storage.operationCount() == logged + 1)
            let snapshot = try await ServerSnapshot.of(storage)
            #expect(snapshot.rows["submission"]?[secret]?["text"] == .text(sealed))
        }
    }

    @Test("a moved user's replica drops the old scope; a disabled one keeps its edits for another account")
    func movedAndDisabled() async throws {
        try await LiveServer.run("moved", members: Cast.liveMembers) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            let directory = data + "/malik"
            let (malik, rec) = try await assignedMinistry(server)
            let action = try malik.put(
                "action", fields: ["title": .text("Secret draft 7f3a"), "recommendation_id": .text(rec)])
            try await followup(["--replica", directory, "sync"])
            #expect(try malik.row("action", id: action) != nil)

            // Moved to the other ministry: the next sync drops moj's drafts and pulls mof's scope.
            // An edit made for moj and not sent yet is never sent with mof's rights: it waits for review.
            _ = try malik.put("action", id: action, fields: ["title": .text("Edited for moj 9c2e")])
            try await storage.moveUser(name: "malik", org: "mof")
            try await followup(["--replica", directory, "sync"])
            let setAside = try malik.rejectedOperations()
            #expect(setAside.map(\.code) == [.accountChanged])
            #expect(setAside.first?.message.contains("made for moj") == true)
            let stored = try await storage.read { try $0.state("action", id: action) }
            #expect(stored?.values["title"] == .text("Secret draft 7f3a"))
            try malik.discardRejected(try #require(setAside.first).operation.id)
            #expect(try malik.settings().org == "mof")
            #expect(try malik.row("action", id: action) == nil)
            #expect(try malik.digest() == (try await storage.digest(visibleTo: Viewer(org: "mof", role: .ministry))))
            let file = try bytesOfOpenDatabase(directory + "/" + Replica.fileName)
            #expect(file.range(of: Data("Secret draft 7f3a".utf8)) == nil)

            // A client that does not say which organisation its edits were made for (one built
            // before `org`) is refused once its user has moved: its edits may predate the move.
            let stale = SyncOperation(
                id: UUIDv7.make(), table: "action", row: action, kind: .upsert,
                fields: ["title": .text("Sent without org 4d1b")],
                hlc: HLCTimestamp(physical: Int64(Date().timeIntervalSince1970 * 1000)),
                replica: try malik.status().replica)
            let token = try #require(try malik.settings().token)
            await #expect {
                _ = try await HTTPSyncTransport(baseURL: url, token: token).push(PushRequest(ops: [stale]))
            } throws: { error in
                (error as? TransportError)?.code == .organisationChanged
            }
            #expect(
                try await storage.read { try $0.state("action", id: action) }?.values["title"]
                    == stored?.values["title"])

            // Disabled: the token stops at once, the replica is told, and its pending edit stays.
            _ = try malik.put("recommendation", id: rec, fields: ["paragraph": .text("12")])
            try await storage.setUserDisabled(name: "malik", disabled: true)
            let transport = HTTPSyncTransport(baseURL: url, token: try #require(try malik.settings().token))
            await #expect {
                _ = try await SyncEngine(replica: malik, transport: transport).sync()
            } throws: { error in
                (error as? TransportError)?.code == .accountDisabled
            }
            await #expect(throws: (any Error).self) { try await followup(["--replica", directory, "sync"]) }
            #expect(try malik.status().pending == 1)
            #expect(try malik.status().signedIn == false)

            // An account of another organisation may not take the replica over (the edit is mof's).
            let stranger = try Executables.run(
                "followup", ["--replica", directory, "login", "--user", "pia", "--password-stdin"], input: "pia-pass")
            #expect(stranger.status != 0)
            #expect(try Replica(directory: directory).settings().userName == "malik")

            // Another account of the organisation signs in on this replica: the edit waits for review.
            let input = "mona-pass"
            let signedIn = try Executables.run(
                "followup", ["--replica", directory, "login", "--user", "mona", "--password-stdin"], input: input)
            #expect(signedIn.status == 0)
            #expect(try malik.settings().userName == "mona")
            #expect(try malik.status().pending == 0)
            #expect(try malik.rejectedOperations().map(\.code) == [.accountChanged])
            try await followup(["--replica", directory, "sync"])
            // A fresh facade after the command: one database pool per file and process (see GRDB).
            #expect(
                try Replica(directory: directory).digest()
                    == (try await storage.digest(visibleTo: Viewer(org: "mof", role: .ministry))))
        }
    }

    @Test("move-user, explain and rejected discard refuse unknown names and change nothing")
    func unknownNames() async throws {
        let (storage, data) = try await LiveServer.prepare("unknown", members: Cast.liveMembers)
        let digest = try await storage.digest()
        let logged = try await storage.operationCount()
        await #expect(throws: ServiceError.self) { try await storage.moveUser(name: "nobody", org: "moj") }
        await #expect(throws: ServiceError.self) { try await storage.moveUser(name: "malik", org: "nowhere") }
        await #expect(throws: ServiceError.self) { try await storage.moveUser(name: "malik", org: "_operator") }
        await #expect(throws: ServiceError.self) {
            _ = try await storage.explain(user: "nobody", table: "action", id: UUIDv7.make())
        }
        await #expect(throws: ServiceError.self) {
            _ = try await storage.explain(user: "malik", table: "no_such_table", id: UUIDv7.make())
        }
        let missing = try await storage.explain(user: "malik", table: "action", id: UUIDv7.make())
        #expect(!missing.exists && !missing.read.allowed && !missing.write.allowed)
        #expect(try await storage.digest() == digest)
        #expect(try await storage.operationCount() == logged)
        // The malik account is still in moj.
        #expect(try await storage.explain(user: "malik", table: "action", id: UUIDv7.make()).viewer.org == "moj")
        try await LiveServer.serve(storage, data: data) { server in
            let replica = try await server.enrol("malik")
            #expect(throws: ReplicaError.self) { try replica.discardRejected(UUIDv7.make()) }
            #expect(try replica.status().rejected == 0)
        }
    }
}
