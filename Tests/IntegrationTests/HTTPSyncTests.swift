import ArgumentParser
import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Shared
import TestSupport
import Testing

@Suite("Sync through the real HTTP server")
struct HTTPSyncTests {
    @Test("two replicas edit the same field offline; after sync both hold the later write")
    func offlineConflict() async throws {
        try await LiveServer.run("conflict", members: LiveServer.secretariatAndMinistry) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            let secretariat = data + "/secretariat"
            let ministry = data + "/ministry"
            _ = try await Replica.enrol(directory: secretariat, serverURL: url, user: "sara", password: "sara-pass")
            _ = try await Replica.enrol(directory: ministry, serverURL: url, user: "malik", password: "malik-pass")

            // The ministry works on actions of recommendations assigned to it.
            try await followup(["--replica", secretariat, "sync"])
            let recommendation = UUIDv7.make()
            try await followup([
                "--replica", secretariat, "put", "recommendation", recommendation, "text=Adopt an anti-torture law",
            ])
            try await followup(["--replica", secretariat, "assign", recommendation, "--to", "moj", "--lead"])
            let action = UUIDv7.make()
            try await followup([
                "--replica", secretariat, "put", "action", action, "title=Draft the bill", "status=planned",
                "recommendation_id=\(recommendation)",
            ])
            try await followup(["--replica", secretariat, "sync"])
            try await followup(["--replica", ministry, "sync"])
            #expect(try Replica(directory: ministry).row("action", id: action)?["title"] == .text("Draft the bill"))

            // Offline: both change the title; the ministry's edit comes later.
            try await followup(["--replica", secretariat, "put", "action", action, "title=Secretariat's title"])
            try await Task.sleep(for: .milliseconds(5))
            try await followup([
                "--replica", ministry, "put", "action", action, "title=Ministry's title", "status=in_progress",
            ])
            #expect(try Replica(directory: ministry).status().pending == 1)

            // The later write wins whatever order the replicas come back online in.
            try await followup(["--replica", ministry, "sync"])
            try await followup(["--replica", secretariat, "sync"])
            try await followup(["--replica", ministry, "sync"])
            for directory in [secretariat, ministry] {
                let row = try #require(try Replica(directory: directory).row("action", id: action))
                #expect(row["title"] == .text("Ministry's title"))
                #expect(row["status"] == .text("in_progress"))
                #expect(row["owner_org"] == .text("nmirf"))
                #expect(row["created_by"] == .text("sara"))
            }
            #expect(try Replica(directory: secretariat).digest() == (try await storage.digest()))
            #expect(
                try Replica(directory: ministry).digest()
                    == (try await storage.digest(visibleTo: Viewer(org: "moj", role: .ministry))))
            #expect(try Replica(directory: secretariat).status().pending == 0)
        }
    }

    @Test("a revoked session keeps pending edits; signing in again syncs them")
    func revokedSession() async throws {
        try await LiveServer.run("revoked", members: LiveServer.secretariatAndMinistry) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            let directory = data + "/secretariat"
            let replica = try await Replica.enrol(
                directory: directory, serverURL: url, user: "sara", password: "sara-pass")
            let logged = try await storage.operationCount()
            let id = try replica.put("recommendation", fields: ["text": .text("Adopt a national action plan")])
            try await storage.setUserDisabled(name: "sara", disabled: true)
            await #expect(throws: (any Error).self) { try await followup(["--replica", directory, "sync"]) }
            #expect(try replica.status().pending == 1)
            #expect(try replica.status().signedIn == false)
            #expect(try replica.row("recommendation", id: id) != nil)

            try await storage.setUserDisabled(name: "sara", disabled: false)
            let login = try await HTTPSyncTransport(baseURL: url, token: nil).login(
                LoginRequest(user: "sara", password: "sara-pass", replica: try replica.settings().replicaID))
            #expect(login.replica == (try replica.settings().replicaID))
            try replica.setToken(login.token)
            try await followup(["--replica", directory, "sync"])
            #expect(try replica.status().pending == 0)
            #expect(try await storage.operationCount() == logged + 1)
        }
    }

    @Test("a large push is gzip-compressed and accepted whole; a fresh replica pulls it all")
    func largeSync() async throws {
        try await LiveServer.run("large", members: LiveServer.secretariatAndMinistry) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            let logged = try await storage.operationCount()
            let writer = try await Replica.enrol(
                directory: data + "/a", serverURL: url, user: "sara", password: "sara-pass")
            let lines = (0..<3_000).map { #"{"text": "Recommendation \#($0) on the independence of the judiciary"}"# }
            try lines.joined(separator: "\n").write(toFile: data + "/rows.jsonl", atomically: true, encoding: .utf8)
            try await followup(["--replica", data + "/a", "put", "recommendation", "--jsonl", data + "/rows.jsonl"])
            try await followup(["--replica", data + "/a", "sync"])
            #expect(try await storage.operationCount() == logged + 3_000)
            let reader = try await Replica.enrol(
                directory: data + "/b", serverURL: url, user: "malik", password: "malik-pass")
            try await followup(["--replica", data + "/b", "sync"])
            #expect(try reader.rows("recommendation").count == 3_000)
            #expect(try reader.digest() == writer.digest())
        }
    }
}
