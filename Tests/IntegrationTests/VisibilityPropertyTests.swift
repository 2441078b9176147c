import Client
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RowStorage
import Shared
import TestSupport
import Testing

@testable import Client
@testable import Server

/// One replica per organisation of `Cast`, on disk, with what the test knows about it.
private struct Member {
    let org: String
    let kind: OrganisationKind
    let user: String
    let directory: String
    let replica: Replica
    let engine: SyncEngine
    /// Text values this replica wrote itself (they may stay in its own refused edits).
    var authored: Set<String> = []
    /// After its last sync: each held row's text values, by table and id.
    var held: [String: [String: [String]]] = [:]
}

/// Random edits, transitions, assignment and confidentiality changes by every role, and random
/// sync order: after every sync the replica holds exactly the rows the policy allows.
@Suite("Scope property: every replica holds exactly what its organisation may see")
struct VisibilityPropertyTests {
    @Test("random work and syncs by every kind of organisation", arguments: 0..<12)
    func scopes(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        let server = try await InProcessServer()
        for member in Cast.members where !["nmirf", "moj"].contains(member.org) {
            try await server.storage.addOrganisation(id: member.org, name: member.org.uppercased(), kind: member.kind)
        }
        let root = try temporaryDirectory("scopes-\(seed)")
        var members: [Member] = []
        for member in Cast.members {
            let directory = root + "/" + member.user
            let (replica, made) = try await server.replicaOnDisk(
                user: member.user, org: member.org, directory: directory)
            var engine = made
            // Small pages, so that a page boundary falls between a row's purge and its return.
            engine.pullPageSize = Int.random(in: 1...6, using: &generator)
            members.append(
                Member(
                    org: member.org, kind: member.kind, user: member.user, directory: directory, replica: replica,
                    engine: engine))
        }
        var counter = 0
        func marker(_ index: Int) -> String {
            counter += 1
            let text =
                "\(members[index].user)-\(seed)-\(counter)-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
            members[index].authored.insert(text)
            return text
        }
        // The secretariat starts with recommendations, a cluster, and one assignment per ministry.
        let secretariat = members[0].replica
        var recommendations: [String] = []
        for _ in 0..<4 {
            recommendations.append(try secretariat.put("recommendation", fields: ["text": .text(marker(0))]))
        }
        let cluster = try secretariat.put("cluster", fields: ["title": .text(marker(0))])
        _ = try secretariat.put(
            "cluster_member", fields: ["cluster_id": .text(cluster), "recommendation_id": .text(recommendations[1])])
        for (org, target) in [("moj", "recommendation_id", recommendations[0]), ("mof", "cluster_id", cluster)].map({
            ($0.0, ($0.1, $0.2))
        }) {
            let institution = try #require(
                try secretariat.rows("institution").first { $0.values["org_id"] == .text(org) })
            _ = try secretariat.put(
                "assignment",
                fields: [target.0: .text(target.1), "institution_id": .text(institution.id), "role": .text("lead")])
        }
        for index in members.indices {
            _ = try await members[index].engine.sync()
            try await verify(&members[index], server: server)
        }

        for _ in 0..<160 {
            server.clock.advance(by: Int64.random(in: 1...50, using: &generator))
            // The secretariat works (and syncs) more than the others.
            let index =
                Int.random(in: 0..<4, using: &generator) == 0 ? 0 : Int.random(in: 0..<members.count, using: &generator)
            if Int.random(in: 0..<3, using: &generator) == 0 {
                _ = try await members[index].engine.sync()
                try await verify(&members[index], server: server)
                continue
            }
            let snapshot = try await ServerSnapshot.of(server.storage)
            do {
                try edit(members[index], snapshot: snapshot, text: marker(index), &generator)
            } catch is ReplicaError {
                // Refused by the replica's own checks before it reached the outbox.
            }
        }
        for round in 0..<2 {
            for index in members.indices.shuffled(using: &generator) {
                _ = try await members[index].engine.sync()
                try await verify(&members[index], server: server)
                if round == 1 { #expect(try members[index].replica.status().pending == 0) }
            }
        }
        try await verifyPortal(server: server)
    }

    /// Crawls every page and download of the public portal after the random work: the public's
    /// view holds exactly the rows the oracle makes public, and no text of another row shows.
    private func verifyPortal(server: InProcessServer) async throws {
        let snapshot = try await ServerSnapshot.of(server.storage)
        let oracle = ScopeOracle(snapshot: snapshot, kinds: Cast.kinds)
        let view = try PublicView(sync: server.service)
        try await view.refresh()
        for table in Schema.current.tables {
            let expected = Set((snapshot.rows[table.name] ?? [:]).keys.filter { oracle.isPublic(table.name, $0) })
            #expect(Set(try view.replica.rows(table.name).map(\.id)) == expected, "public \(table.name)")
        }
        // The progress chart counts the public updates under public actions, and nothing else.
        var months: [String: [String: Int]] = [:]
        for (id, values) in snapshot.rows["progress_update"] ?? [:] where oracle.isPublic("progress_update", id) {
            guard case .text(let action) = values["action_id"], oracle.isPublic("action", action),
                case .text(let date) = values["date"]
            else { continue }
            let status: String
            if case .text(let reported) = values["status"] { status = reported } else { status = "" }
            months[String(date.prefix(7)), default: [:]][status, default: 0] += 1
        }
        let charted = try view.replica.progressByMonth().filter { !$0.counts.isEmpty }
        #expect(Dictionary(uniqueKeysWithValues: charted.map { ($0.month, $0.counts) }) == months)
        let app = buildApplication(
            ServerConfiguration(port: 0, logLevel: LiveServer.logLevel), storage: server.storage,
            files: try DirectoryEvidenceStore(root: try temporaryDirectory("portal-crawl-files")),
            clock: server.clock)
        // Every page: home and list in each language, each recommendation, the downloads, and
        // addresses that must not answer: another table's row ids, searches for hidden texts.
        var hidden: [(table: String, id: String, text: String)] = []
        for table in Schema.current.tables {
            for (id, values) in snapshot.rows[table.name] ?? [:] where !oracle.isPublic(table.name, id) {
                for case .text(let text) in values.values
                where Cast.members.contains(where: { text.hasPrefix($0.user + "-") }) {
                    hidden.append((table.name, id, text))
                }
            }
        }
        var paths =
            ReportCatalog.languages.flatMap { ["/?lang=\($0)", "/recommendations?lang=\($0)"] }
            + PortalRoutes.downloads.map(\.path) + ["/no-such-page", "/open-data/recommendations.xml"]
        paths += (snapshot.rows["recommendation"] ?? [:]).keys.sorted().map { "/recommendations/\($0)" }
        paths += hidden.prefix(12).flatMap { ["/recommendations/\($0.id)", "/recommendations?q=\($0.text)"] }
        let addresses = paths
        let pages = try await app.test(.router) { client in
            var pages: [String] = []
            for path in addresses {
                let response = try await client.execute(uri: path, method: .get)
                pages.append(String(buffer: response.body))
            }
            return pages
        }
        let crawled = pages.joined(separator: "\n")
        #expect(crawled.contains("<svg"))
        // The search pages echo what was searched for in their form; nothing else may hold it.
        for item in hidden {
            let shown = crawled.replacingOccurrences(of: "value=\"\(item.text)\"", with: "")
            #expect(!shown.contains(item.text), "the portal shows \(item.text) of \(item.table) \(item.id)")
        }
    }

    /// One random piece of work for the member's role; refusals by the replica's own checks
    /// (an invalid transition, say) are part of the game and ignored.
    private func edit(
        _ member: Member, snapshot: ServerSnapshot, text: String, _ generator: inout SeededGenerator
    ) throws {
        let replica = member.replica
        func ids(_ table: String) throws -> [String] { try replica.rows(table).map(\.id) }
        func pick(_ table: String) throws -> String? { try ids(table).randomElement(using: &generator) }
        func institution(of org: String) throws -> String? {
            try replica.rows("institution").first { $0.values["org_id"] == .text(org) }?.id
        }
        func move(_ table: String) throws {
            guard let id = try pick(table) else { return }
            let states = Schema.current.table(table)!.workflow!.states
            _ = try? replica.put(table, id: id, fields: ["state": .text(states.randomElement(using: &generator)!)])
        }
        let choice = Int.random(in: 0..<7, using: &generator)
        // The judiciary works like a ministry, and the UN country team submits like an NGO.
        let works: OrganisationKind =
            switch member.kind {
            case .judiciary: .ministry
            case .unCountryTeam: .ngo
            default: member.kind
            }
        switch (works, choice) {
        case (.secretariat, 0):
            _ = try replica.put("recommendation", fields: ["text": .text(text)])
        case (.secretariat, 1):
            // Assign a recommendation or a cluster to one of the two ministries or the judiciary.
            guard let institution = try institution(of: ["moj", "mof", "court"].randomElement(using: &generator)!)
            else { return }
            if Bool.random(using: &generator), let cluster = try pick("cluster") {
                _ = try replica.put(
                    "assignment",
                    fields: [
                        "cluster_id": .text(cluster), "institution_id": .text(institution), "role": .text("lead"),
                    ])
            } else if let recommendation = try pick("recommendation") {
                _ = try replica.put(
                    "assignment",
                    fields: [
                        "recommendation_id": .text(recommendation), "institution_id": .text(institution),
                        "role": .text("lead"), "focal_point": .text(text),
                    ])
            }
        case (.secretariat, 2):
            if let assignment = try pick("assignment") { try replica.delete("assignment", id: assignment) }
        case (.secretariat, 3):
            if try Bool.random(using: &generator) || ids("cluster").isEmpty {
                _ = try replica.put("cluster", fields: ["title": .text(text)])
            } else if Bool.random(using: &generator), let member = try pick("cluster_member") {
                try replica.delete("cluster_member", id: member)
            } else if let cluster = try pick("cluster"), let recommendation = try pick("recommendation") {
                _ = try replica.put(
                    "cluster_member",
                    fields: ["cluster_id": .text(cluster), "recommendation_id": .text(recommendation)])
            }
        case (.secretariat, 4):
            try move(Bool.random(using: &generator) ? "action" : "progress_update")
        case (.ministry, 0), (.secretariat, 5):
            // Mostly a recommendation assigned to the ministry, sometimes any (then refused).
            let own = try institution(of: member.org)
            let clusters = try replica.rows("assignment").filter {
                $0.values["institution_id"] == own.map { .text($0) }
            }
            var assigned = clusters.compactMap { row -> String? in
                if case .text(let id)? = row.values["recommendation_id"] { return id }
                return nil
            }
            for row in clusters {
                guard case .text(let cluster)? = row.values["cluster_id"] else { continue }
                assigned += try replica.rows("cluster_member").filter { $0.values["cluster_id"] == .text(cluster) }
                    .compactMap {
                        if case .text(let id)? = $0.values["recommendation_id"] { return id } else { return nil }
                    }
            }
            let recommendation =
                Int.random(in: 0..<4, using: &generator) > 0 && !assigned.isEmpty
                ? assigned.randomElement(using: &generator) : try pick("recommendation")
            if Int.random(in: 0..<3, using: &generator) == 0 {
                // Work covering a whole cluster: mostly one assigned to the ministry itself.
                let own = clusters.compactMap { row -> String? in
                    if case .text(let id)? = row.values["cluster_id"] { return id }
                    return nil
                }
                if let cluster = Bool.random(using: &generator) && !own.isEmpty
                    ? own.randomElement(using: &generator) : try pick("cluster")
                {
                    _ = try replica.put("action", fields: ["title": .text(text), "cluster_id": .text(cluster)])
                }
            } else if let recommendation {
                _ = try replica.put(
                    "action", fields: ["title": .text(text), "recommendation_id": .text(recommendation)])
            }
        case (.ministry, 1):
            try move(Bool.random(using: &generator) ? "action" : "progress_update")
        case (.ministry, 2):
            if let action = try pick("action") {
                if Bool.random(using: &generator) {
                    // Dated (without drawing from the generator), for the portal's progress chart.
                    let date = String(format: "2026-%02d-01", 1 + text.count % 12)
                    _ = try replica.put(
                        "progress_update",
                        fields: ["action_id": .text(action), "narrative": .text(text), "date": .text(date)])
                } else {
                    _ = try replica.put("indicator", fields: ["action_id": .text(action), "title": .text(text)])
                }
            }
        case (.ministry, 3):
            if let request = try pick("oversight_request") {
                _ = try replica.put(
                    "oversight_response", fields: ["oversight_request_id": .text(request), "text": .text(text)])
            } else if let action = try pick("action") {
                _ = try replica.put("action", id: action, fields: ["title": .text(text)])
            }
        case (.ministry, 4):
            if Bool.random(using: &generator) {
                try move("oversight_response")
            } else if Bool.random(using: &generator), let assessment = try pick("assessment") {
                // The government's reply to a published assessment.
                _ = try replica.put(
                    "assessment_reply", fields: ["assessment_id": .text(assessment), "text": .text(text)])
            } else {
                try move("assessment_reply")
            }
        case (.parliament, 0), (.parliament, 1):
            if let institution = try institution(of: Bool.random(using: &generator) ? "moj" : "mof") {
                _ = try replica.put(
                    "oversight_request", fields: ["institution_id": .text(institution), "text": .text(text)])
            }
        case (.parliament, 2), (.parliament, 3):
            try move("oversight_request")
        case (.nhri, 0), (.nhri, 1):
            if let recommendation = try pick("recommendation") {
                _ = try replica.put(
                    "assessment",
                    fields: [
                        "recommendation_id": .text(recommendation), "rating": .text("partial"),
                        "rationale": .text(text),
                    ])
            }
        case (.nhri, 2), (.nhri, 3), (.ngo, 4):
            try move("assessment")
        case (.ngo, 0):
            _ = try replica.put(
                "submission",
                fields: ["text": .text(text), "confidential": .bool(Bool.random(using: &generator))])
        case (.ngo, 1) where Bool.random(using: &generator):
            try move("submission")
        case (.ngo, 1):
            if let submission = try pick("submission") {
                _ = try replica.put(
                    "submission", id: submission, fields: ["confidential": .bool(Bool.random(using: &generator))])
            }
        case (.ngo, 2):
            if let recommendation = try pick("recommendation") {
                _ = try replica.put(
                    "assessment",
                    fields: ["recommendation_id": .text(recommendation), "rating": .text("limited")])
            }
        case (_, 5), (.ngo, 3):
            // An attachment on any row the replica holds (refused when it may not write the parent).
            let tables = ["action", "submission", "oversight_request", "assessment", "recommendation"]
            let table = tables.randomElement(using: &generator)!
            if let parent = try pick(table) {
                // The file holds the marker, so bytes that outlive their attachment would show.
                let path = member.directory + "/" + text + ".txt"
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                defer { try? FileManager.default.removeItem(atPath: path) }
                do {
                    _ = try replica.attach(path, to: "\(table):\(parent)")
                } catch let error as ReplicaError where error.code == .forbidden {
                    // Refused by the replica's own facts: recorded raw, for the server to decide.
                    _ = try replica.put(
                        "attachment",
                        fields: [
                            "content_hash": .text(ContentHash.of(Data(text.utf8))), "parent_table": .text(table),
                            "parent_id": .text(parent), "file_name": .text(text),
                        ])
                }
            }
        default:
            // A write outside the replica's view: a row it does not hold (forged, or guessed).
            let tables = ["action", "submission", "assessment", "oversight_request", "recommendation"]
            let table = tables.randomElement(using: &generator)!
            let field = ["action": "title", "submission": "text", "assessment": "rationale"][table] ?? "text"
            if let target = (snapshot.rows[table] ?? [:]).keys.sorted().randomElement(using: &generator) {
                _ = try? replica.put(table, id: target, fields: [field: .text(text)])
            }
        }
    }

    /// Checks one member right after its sync, against the oracle over the server's state.
    private func verify(_ member: inout Member, server: InProcessServer) async throws {
        let snapshot = try await ServerSnapshot.of(server.storage)
        let oracle = ScopeOracle(snapshot: snapshot, kinds: Cast.kinds)
        let replica = member.replica
        #expect(try replica.status().pending == 0, "\(member.user)")
        // Pages index their new recommendations together; the index must still be exact.
        #expect(try replica.searchIndexMismatches() == 0, "\(member.user)")
        var held: [String: [String: [String]]] = [:]
        for table in Schema.current.tables {
            let rows = try replica.rows(table.name)
            let expected = oracle.visible(table.name, to: member.org)
            #expect(Set(rows.map(\.id)) == expected, "\(member.user) \(table.name)")
            for row in rows {
                // The replica stores what the server stores (a confidential text sealed), and
                // shows a sealed text opened only where it holds the key.
                let stored = try replica.read { db in try replica.rows.values(table, id: row.id, db) } ?? [:]
                #expect(stored == snapshot.rows[table.name]?[row.id], "\(member.user) \(table.name) \(row.id)")
                if table.name == "submission", stored["confidential"] == .bool(true) {
                    #expect(SealedText.isSealed(AccessPolicy.text(stored["text"]) ?? ""), "sealed \(row.id)")
                    let opened = AccessPolicy.text(row.values["text"]) ?? ""
                    if member.kind == .nhri || stored["owner_org"] == .text(member.org) {
                        #expect(!SealedText.isSealed(opened), "\(member.user) opens \(row.id)")
                    }
                }
                held[table.name, default: [:]][row.id] = stored.values.compactMap {
                    if case .text(let text) = $0 { return text }
                    return nil
                }
            }
        }
        // Rows that left the scope leave no trace: no row, no tombstone, and none of the values
        // the replica held (except what this replica wrote itself), anywhere in its files.
        let files = try [Replica.fileName, Replica.fileName + "-wal"].map {
            try bytesOfOpenDatabase(member.directory + "/" + $0)
        }
        for (table, rows) in member.held {
            for (id, texts) in rows where !(held[table]?.keys.contains(id) ?? false) {
                let remaining = try replica.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE id = ?", arguments: [id]) ?? 0
                }
                let stillLive = snapshot.rows[table]?[id] != nil
                // A row deleted while visible keeps its tombstone; a row that left the scope is gone.
                if stillLive { #expect(remaining == 0, "\(member.user) still holds purged \(table) \(id)") }
                let markers = texts.filter { text in Cast.members.contains { text.hasPrefix($0.user + "-") } }
                // What it wrote itself (kept as pushed for `audit verify`) includes an attachment's
                // file name, the marker and `.txt`.
                for text in markers
                where stillLive && !member.authored.contains(text)
                    && !member.authored.contains(where: { text == $0 + ".txt" })
                {
                    let bytes = Data(text.utf8)
                    #expect(
                        !files.contains { $0.range(of: bytes) != nil },
                        "\(member.user)'s files still contain \(text) of purged \(table) \(id)")
                }
            }
        }
        // The replica keeps the bytes of exactly the files its live attachments name.
        let named = Set(
            held["attachment"]?.keys.compactMap { id -> String? in
                guard case .text(let hash)? = snapshot.rows["attachment"]?[id]?["content_hash"] else { return nil }
                return hash
            } ?? [])
        let kept = Set((try? FileManager.default.contentsOfDirectory(atPath: member.directory + "/files")) ?? [])
        #expect(kept == named, "\(member.user)'s evidence files")
        member.held = held
    }
}
