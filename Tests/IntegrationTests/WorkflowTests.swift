import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import RowStorage
import Server
import Shared
import TestSupport
import Testing

@testable import Client

/// The newest live row of `table` (ids are time-ordered), for commands that print the id they create.
func newest(_ replica: Replica, _ table: String) throws -> String {
    try #require(try replica.rows(table).last?.id)
}

@Suite("Each stakeholder's daily work through the real server")
struct WorkflowTests {
    @Test("secretariat, ministry, NHRI, NGO and parliament work offline and sync")
    func stakeholders() async throws {
        let people = [
            ("sara", "nmirf", OrganisationKind.secretariat), ("malik", "moj", .ministry),
            ("pia", "parl-hr", .parliament), ("nadia", "nhri", .nhri), ("omar", "ngo-watch", .ngo),
        ]
        let members = people.map { LiveServer.Member(org: $0.1, kind: $0.2, user: $0.0) }
        try await LiveServer.run("workflow", members: members) { server in
            let (storage, data, url) = (server.storage, server.data, server.url)
            var replicas: [String: Replica] = [:]
            for (user, _, _) in people {
                replicas[user] = try await Replica.enrol(
                    directory: data + "/" + user, serverURL: url, user: user, password: "\(user)-pass")
            }
            func run(_ user: String, _ arguments: String...) async throws {
                try await followup(["--replica", data + "/" + user] + arguments)
            }
            func sync(_ users: String...) async throws {
                for user in users { try await run(user, "sync") }
            }
            let sara = try #require(replicas["sara"])
            let malik = try #require(replicas["malik"])
            let nadia = try #require(replicas["nadia"])
            let pia = try #require(replicas["pia"])
            try await sync("sara", "malik", "pia", "nadia", "omar")
            #expect(try sara.rows("institution").count == 5)
            #expect(try sara.rows("mechanism").count == 11)

            // Secretariat: import, cluster, assign (by organisation id).
            let csv = TestData.fixtures.appendingPathComponent("upr-info-sample.csv").path
            try await run("sara", "import", "upr-info", csv)
            let recs = try sara.recommendations(RecommendationFilter())
            #expect(recs.count == 4)
            let rec = try #require(recs.first { $0.text.contains("Optional Protocol") }).id
            let other = try #require(recs.first { $0.text.contains("Habré") }).id
            try await run("sara", "clusters", "create", "--title", "Torture prevention", "--kind", "theme")
            let cluster = try newest(sara, "cluster")
            try await run("sara", "clusters", "add", cluster, rec, other)
            try await run("sara", "assign", rec, "--to", "moj", "--lead", "--focal-point", "Legal affairs unit")
            try await run("sara", "assign", cluster, "--to", "moj", "--contributing")
            try await sync("sara")

            // Ministry: sees its assignments, plans an action with an indicator, reports, submits.
            try await sync("malik")
            var mine = RecommendationFilter()
            mine.institution = "moj"
            #expect(try malik.recommendations(mine).map(\.id).sorted() == [rec, other].sorted())
            var searched = RecommendationFilter()
            searched.search = "optional protocol torture"
            #expect(try malik.recommendations(searched).map(\.id) == [rec])
            try await run(
                "malik", "actions", "add", "--rec", rec, "--title", "Draft the OPCAT ratification bill", "--due",
                "2027-01-31", "--budget", "50000", "--currency", "USD", "--indicator", "Bill tabled in parliament",
                "--indicator-kind", "structure")
            let action = try newest(malik, "action")
            #expect(try malik.row("action", id: action)?["state"] == .text("draft"))
            #expect(try malik.rows("indicator", where: "action_id", is: action).count == 1)
            await #expect(throws: (any Error).self) { try await run("malik", "publish", action) }
            try await run(
                "malik", "progress", "add", "--action", action, "--narrative", "Draft circulated to ministries")
            let progress = try newest(malik, "progress_update")
            try await run("malik", "put", "action", action, "status=in_progress")
            try await run("malik", "submit", action)
            try await run("malik", "submit", progress)
            try await sync("malik")

            // Secretariat publishes the submitted action.
            try await sync("sara")
            try await run("sara", "publish", action)
            try await sync("sara")

            // NHRI: an independent assessment, then published.
            try await sync("nadia")
            try await run("nadia", "assess", rec, "--rating", "partial", "--rationale", "A bill exists; no vote yet")
            let assessment = try newest(nadia, "assessment")
            #expect(try nadia.row("assessment", id: assessment)?["state"] == .text("draft"))
            try await run("nadia", "publish", assessment)
            try await sync("nadia")

            // NGO: a confidential submission.
            try await sync("omar")
            try await run(
                "omar", "submissions", "add", "--rec", rec, "--text", "Witness W1 reports...", "--confidential")
            try await sync("omar")

            // Parliament asks the ministry; the ministry answers.
            try await sync("pia")
            try await run(
                "pia", "oversight", "ask", "--to", "moj", "--rec", rec, "--text", "When will the bill be tabled?",
                "--kind", "question", "--due", "2027-03-01")
            let question = try newest(pia, "oversight_request")
            try await run("pia", "submit", question)
            try await sync("pia", "malik")
            try await run("malik", "oversight", "answer", question, "--text", "In the spring session.")
            let answer = try newest(malik, "oversight_response")
            try await run("malik", "submit", answer)
            try await sync("malik")

            try await sync("sara", "malik", "pia", "nadia", "omar")
            for (user, org, kind) in people {
                let digest = try await storage.digest(visibleTo: Viewer(org: org, role: kind))
                #expect(try replicas[user]!.digest() == digest, "\(user)")
                #expect(try replicas[user]!.status().pending == 0)
                #expect(try replicas[user]!.status().rejected == 0)
            }
            #expect(try pia.row("action", id: action)?["state"] == .text("published"))
            #expect(try pia.row("action", id: action)?["owner_org"] == .text("moj"))
            #expect(try malik.row("assessment", id: assessment)?["rating"] == .text("partial"))
            #expect(try malik.row("assessment", id: assessment)?["state"] == .text("published"))
            #expect(try nadia.rows("submission").first?.values["confidential"] == .bool(true))
            // The confidential submission reaches its author and the NHRI only.
            for user in ["sara", "malik", "pia"] {
                #expect(try replicas[user]!.rows("submission").isEmpty, "\(user)")
            }
            #expect(try pia.row("oversight_response", id: answer)?["oversight_request_id"] == .text(question))
            #expect(try sara.recommendations(RecommendationFilter()).first { $0.id == rec }?.status == .inProgress)
            let byInstitution = try sara.summary(by: "institution")
            #expect(byInstitution.first { $0.group == "MOJ" }?.total == 2)
            #expect(try sara.summary(by: "mechanism").first { $0.group == "UPR" }?.total == 4)
            let overdue = try sara.overdue(today: "2028-01-01")
            #expect(overdue.map(\.id).contains(action))
            // Overdue names who must act: the ministry's action is the ministry's.
            #expect(overdue.first { $0.id == action }?.institution == "MOJ")
            #expect(!overdue.map(\.id).contains(question))
            for arguments in [
                ["recs", "list", "--institution", "moj"], ["recs", "list", "--json", "--mechanism", "upr"],
                ["recs", "show", rec], ["summary"], ["overdue", "--today", "2028-01-01"],
            ] {
                try await followup(["--replica", data + "/sara"] + arguments)
            }
        }
    }
}

extension WorkflowTests {
    @Test("invalid input is refused with a clear error on the client and again on the server")
    func invalidInput() async throws {
        let server = try await InProcessServer()
        let directory = try temporaryDirectory("invalid")
        let (replica, engine) = try await server.replicaOnDisk(user: "malik", org: "moj", directory: directory)
        let rec = try replica.put("recommendation", fields: ["text": .text("Adopt a law on torture")])
        let action = try replica.put("action", fields: ["title": .text("Draft"), "recommendation_id": .text(rec)])
        let before = try replica.digest()
        func refused(_ arguments: [String], _ code: String? = nil) async {
            await #expect(throws: (any Error).self, "\(arguments)") {
                try await followup(["--replica", directory] + arguments)
            }
        }
        await refused(["actions", "add", "--rec", UUIDv7.make(), "--title", "x"])
        await refused(["actions", "add", "--rec", rec, "--title", "x", "--due", "2027-02-30"])
        await refused(["actions", "add", "--rec", rec, "--title", "x", "--currency", "dollars"])
        await refused(["assess", rec, "--rating", "great", "--rationale", "x"])
        await refused(["assign", rec, "--to", "no-such-org", "--lead"])
        await refused(["publish", action])
        await refused(["put", "action", action, "state=published"])
        await refused(["put", "recommendation", "session=0", "text=x", "cycle=99"])
        await refused(["put", "recommendation", "text=x", "sdg_targets=5.2;18.1"])
        await refused(["put", "recommendation", "text=x", "state_under_review=XXX"])
        await refused(["oversight", "answer", UUIDv7.make(), "--text", "x"])
        #expect(try replica.digest() == before)
        #expect(try replica.status().pending == 2)

        // The server checks the same rules: an operation the client did not check is refused.
        _ = try await engine.sync()
        let settings = try replica.settings()
        let forged = SyncOperation(
            id: UUIDv7.make(), table: "action", row: action, kind: .upsert, fields: ["state": .text("published")],
            hlc: HLCTimestamp(physical: server.clock.nowMillis()), replica: settings.replicaID)
        let answer = try await engine.transport.push(PushRequest(ops: [forged]))
        #expect(answer.verdicts.first?.code == .invalidTransition)
        let newPublished = SyncOperation(
            id: UUIDv7.make(), table: "assessment", row: UUIDv7.make(), kind: .upsert,
            fields: ["rating": .text("partial"), "state": .text("published")],
            hlc: HLCTimestamp(physical: server.clock.nowMillis()), replica: settings.replicaID)
        #expect(
            try await engine.transport.push(PushRequest(ops: [newPublished])).verdicts.first?.code == .invalidTransition
        )
        let badList = SyncOperation(
            id: UUIDv7.make(), table: "recommendation", row: UUIDv7.make(), kind: .upsert,
            fields: ["text": .text("x"), "sdg_targets": .list(["99.9"])],
            hlc: HLCTimestamp(physical: server.clock.nowMillis()), replica: settings.replicaID)
        #expect(try await engine.transport.push(PushRequest(ops: [badList])).verdicts.first?.code == .invalidValue)
    }

    @Test("a replica created by schema v1 upgrades in place and keeps its pending operations")
    func upgradeInPlace() async throws {
        let server = try await InProcessServer()
        let (_, template) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        let settings = try template.replica.settings()
        // Build a v1 replica by hand: v1 migration only, with one pending v1 operation.
        let queue = try DatabaseQueue()
        try Replica.migrator.migrate(queue, upTo: "v1")
        let pending = SyncOperation(
            id: UUIDv7.make(), table: "action", row: UUIDv7.make(), kind: .upsert,
            fields: ["title": .text("Written before the upgrade"), "status": .text("planned")],
            hlc: HLCTimestamp(physical: server.clock.nowMillis()), replica: settings.replicaID)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO replica_settings (singleton, replica_id, server_url, user_name, org, org_kind, token,
                      cursor, hlc_last, max_known_hlc, clock_offset_ms) VALUES (1, ?, 'in-process', 'sara', 'nmirf',
                      'secretariat', 'token-sara', 0, ?, '000000000000000-00000', 0)
                    """, arguments: [settings.replicaID, pending.hlc.description])
            try RowStore(schema: .v1).apply(pending, db)
            try db.execute(
                sql: "INSERT INTO outbox (op_id, op) VALUES (?, ?)",
                arguments: [pending.id, String(decoding: try WireCoding.encoder().encode(pending), as: UTF8.self)])
        }
        let upgraded = try Replica(writer: queue)
        #expect(try upgraded.pendingOperations(limit: 10) == [pending])
        #expect(try upgraded.row("action", id: pending.row)?["title"] == .text("Written before the upgrade"))
        let engine = SyncEngine(replica: upgraded, transport: template.transport)
        let report = try await engine.sync()
        #expect(report.accepted == 1)
        #expect(try upgraded.digest() == (try await server.storage.digest()))
    }
}

extension WorkflowTests {
    @Test("list fields merge as a whole: the later list wins, items are never mixed")
    func listMerge() async throws {
        let server = try await InProcessServer()
        let (secretariat, secretariatSync) = try await server.replica(user: "sara", org: "nmirf", clock: server.clock)
        let (colleague, colleagueSync) = try await server.replica(user: "sam", org: "nmirf", clock: server.clock)
        let rec = try secretariat.put(
            "recommendation", fields: ["text": .text("Protect defenders"), "themes": .list(["Human rights defenders"])])
        _ = try await secretariatSync.sync()
        _ = try await colleagueSync.sync()
        try secretariat.put("recommendation", id: rec, fields: ["themes": .list(["Justice", " Justice ", ""])])
        server.clock.advance(by: 10)
        try colleague.put("recommendation", id: rec, fields: ["themes": .list(["Women's rights", "Justice"])])
        _ = try await colleagueSync.sync()
        _ = try await secretariatSync.sync()
        _ = try await colleagueSync.sync()
        for replica in [secretariat, colleague] {
            #expect(try replica.row("recommendation", id: rec)?["themes"] == .list(["Women's rights", "Justice"]))
        }
        #expect(try secretariat.digest() == colleague.digest())
    }
}
