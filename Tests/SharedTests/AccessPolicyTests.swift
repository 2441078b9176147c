import Foundation
import Shared
import TestSupport
import Testing

/// Facts held in memory, for policy checks without a database.
struct FactTable: PolicyFacts {
    var rows: [String: [String: [String: FieldValue]]] = [:]
    var assignments: [String: Set<String>] = [:]

    func row(_ table: String, id: String) throws -> [String: FieldValue]? { rows[table]?[id] }
    func assignedOrganisations(recommendation id: String) throws -> Set<String> { assignments[id] ?? [] }
    func assignedOrganisations(cluster id: String) throws -> Set<String> { assignments[id] ?? [] }
}

@Suite("Access policy")
struct AccessPolicyTests {
    @Test("protocol/POLICY.md shows the policy the code enforces")
    func documented() throws {
        let path = GoldenVectors.directory.deletingLastPathComponent().appendingPathComponent("POLICY.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- policy:begin -->\n"))
        let end = try #require(text.range(of: "<!-- policy:end -->"))
        #expect(String(text[begin.upperBound..<end.lowerBound]) == AccessPolicy.standard.markdown())
    }

    @Test("every table of the schema has exactly one policy line")
    func everyTableCovered() {
        let named = AccessPolicy.standard.lines.flatMap(\.tables)
        #expect(named.count == Set(named).count)
        #expect(Set(named) == Set(Schema.current.tables.map(\.name)))
    }

    @Test("audiences follow state, ownership and assignment")
    func audiences() throws {
        let policy = AccessPolicy.standard
        var facts = FactTable()
        facts.assignments["rec"] = ["moj"]
        func audience(_ table: String, _ values: [String: FieldValue]) throws -> Set<String> {
            Set(try policy.audience(table: table, values: values, facts: facts).map(\.description))
        }
        let action: [String: FieldValue] = ["owner_org": .text("nmirf"), "recommendation_id": .text("rec")]
        #expect(try audience("action", action) == ["org:nmirf", "org:moj", "role:secretariat"])
        #expect(
            try audience("action", action.merging(["state": .text("submitted")]) { $1 })
                == [
                    "org:nmirf", "org:moj", "role:secretariat", "role:ministry", "role:judiciary", "role:parliament",
                    "role:un_country_team", "role:nhri",
                ])
        #expect(try audience("action", action.merging(["state": .text("published")]) { $1 }) == ["public"])
        let submission: [String: FieldValue] = ["owner_org": .text("ngo-a"), "confidential": .bool(true)]
        #expect(try audience("submission", submission) == ["org:ngo-a", "role:nhri"])
        facts.rows["submission"] = ["s1": submission]
        #expect(
            try audience(
                "attachment",
                ["owner_org": .text("ngo-a"), "parent_table": .text("submission"), "parent_id": .text("s1")])
                == ["org:ngo-a", "role:nhri"])
        #expect(try audience("attachment", ["owner_org": .text("ngo-a")]) == ["org:ngo-a"])
    }

    @Test("work on a cluster is its assigned institutions'; a published open submission is public")
    func clusterWorkAndPublicSubmissions() throws {
        let policy = AccessPolicy.standard
        var facts = FactTable()
        facts.assignments["cluster"] = ["mof"]
        facts.assignments["rec"] = ["moj"]
        func audience(_ table: String, _ values: [String: FieldValue]) throws -> Set<String> {
            Set(try policy.audience(table: table, values: values, facts: facts).map(\.description))
        }
        let action: [String: FieldValue] = ["owner_org": .text("mof"), "cluster_id": .text("cluster")]
        #expect(try audience("action", action) == ["org:mof", "role:secretariat"])
        // The recommendation decides when the action names both.
        #expect(
            try audience("action", action.merging(["recommendation_id": .text("rec")]) { $1 })
                == ["org:mof", "org:moj", "role:secretariat"])
        facts.rows["action"] = ["a1": action]
        #expect(
            try audience("progress_update", ["owner_org": .text("nmirf"), "action_id": .text("a1")])
                == ["org:nmirf", "org:mof", "role:secretariat"])
        let open: [String: FieldValue] = ["owner_org": .text("ngo-a"), "confidential": .bool(false)]
        #expect(
            try audience("submission", open)
                == Set(["org:ngo-a"] + OrganisationKind.allCases.map { "role:" + $0.rawValue }))
        #expect(try audience("submission", open.merging(["state": .text("published")]) { $1 }) == ["public"])
        let secret = open.merging(["confidential": .bool(true), "state": .text("published")]) { $1 }
        #expect(try audience("submission", secret) == ["org:ngo-a", "role:nhri"])
        let viewer = Viewer(org: "ngo-b", role: .ngo)
        let decision = try policy.decideRead(
            table: "submission", values: open.merging(["state": .text("published")]) { $1 }, viewer: viewer,
            facts: facts)
        #expect(decision.allowed)
        #expect(decision.reason.hasPrefix("a published submission with confidential false is read by everyone"))
    }

    @Test("writes are judged on the row before and after: no moving a row out of one's rights")
    func beforeAndAfter() throws {
        let policy = AccessPolicy.standard
        var facts = FactTable()
        facts.assignments["rec"] = ["moj"]
        let moj = Viewer(org: "moj", role: .ministry)
        let before: [String: FieldValue] = ["owner_org": .text("moj"), "recommendation_id": .text("rec")]
        var after = before
        after["recommendation_id"] = .text("other")
        let moved = try policy.decideWrite(
            .update, table: "action", before: before, after: after, viewer: moj, facts: facts)
        #expect(!moved.allowed)
        #expect(moved.line == "government-work")
        #expect(
            try policy.decideWrite(.update, table: "action", before: before, after: before, viewer: moj, facts: facts)
                .allowed)
        var published = before
        published["state"] = .text("published")
        let publishing = try policy.decideWrite(
            .update, table: "action", before: before.merging(["state": .text("submitted")]) { $1 }, after: published,
            viewer: moj, facts: facts)
        #expect(!publishing.allowed)
        #expect(publishing.reason.contains("only secretariat"))
        let mof = Viewer(org: "mof", role: .ministry)
        #expect(
            !(try policy.decideWrite(.create, table: "action", before: nil, after: before, viewer: mof, facts: facts))
                .allowed)
    }

    @Test("published government work changes through a revision for every organisation but its guards")
    func throughRevision() throws {
        let policy = AccessPolicy.standard
        var facts = FactTable()
        facts.assignments["rec"] = ["moj"]
        let action: [String: FieldValue] = [
            "owner_org": .text("moj"), "recommendation_id": .text("rec"), "state": .text("published"),
        ]
        let moj = Viewer(org: "moj", role: .ministry)
        let nmirf = Viewer(org: "nmirf", role: .secretariat)
        #expect(try policy.changesThroughRevision(table: "action", values: action, viewer: moj, facts: facts))
        #expect(!(try policy.changesThroughRevision(table: "action", values: action, viewer: nmirf, facts: facts)))
        // Where the guard refuses a change in place, the revision is the way; nowhere else.
        for state in ["draft", "submitted", "published"] {
            let values = action.merging(["state": .text(state), "title": .text("Old")]) { $1 }
            let inPlace = try policy.decideWrite(
                .update, table: "action", before: values, after: values.merging(["title": .text("New")]) { $1 },
                viewer: moj, facts: facts)
            #expect(
                try policy.changesThroughRevision(table: "action", values: values, viewer: moj, facts: facts)
                    == !inPlace.allowed, "\(state)")
        }
        #expect(!(try policy.changesThroughRevision(table: "recommendation", values: [:], viewer: moj, facts: facts)))
    }
}

@Suite("Merging whole rows")
struct AbsorbTests {
    @Test(
        "absorbing the state of a set of operations equals applying them, whatever the local edits", arguments: 0..<100)
    func absorbEqualsApply(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        func operation(_ replica: String) -> SyncOperation {
            let columns = ["a", "b", "c"].filter { _ in Bool.random(using: &generator) }
            return SyncOperation(
                id: UUIDv7.make(), table: "t", row: "r",
                kind: Int.random(in: 0..<12, using: &generator) == 0 ? .delete : .upsert,
                fields: Dictionary(
                    uniqueKeysWithValues: (columns.isEmpty ? ["a"] : columns).map {
                        ($0, FieldValue.integer(Int64.random(in: 0...9, using: &generator)))
                    }),
                hlc: HLCTimestamp(physical: Int64.random(in: 0...20, using: &generator)), replica: replica)
        }
        var server: RowState?
        for _ in 0..<Int.random(in: 1...6, using: &generator) {
            var op = operation("server-side")
            if op.kind == .delete { op.fields = [:] }
            server = Merge.apply(op, to: server)
        }
        var local: RowState?
        var shared: [SyncOperation] = []
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            var op = operation("local")
            if op.kind == .delete { op.fields = [:] }
            local = Merge.apply(op, to: local)
            shared.append(op)
        }
        // The local row with the server's whole state absorbed equals the server's row with the
        // local operations applied: both are the merge of every operation.
        let absorbed = Merge.absorb(server!, into: local)
        var applied = server
        for op in shared { applied = Merge.apply(op, to: applied) }
        #expect(absorbed == applied)
    }
}
