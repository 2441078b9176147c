import Client
import Crypto
import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

/// Edits the server's database file behind the server's back, as someone with access to the
/// disk could: the append-only triggers dropped first.
func tamper(_ data: String, _ sql: String, arguments: StatementArguments = []) throws {
    let queue = try DatabaseQueue(path: data + "/server/" + SQLiteServerStorage.fileName)
    try queue.write { db in
        for table in ["op_log", "audit_node", "audit_head"] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(table)_no_update; DROP TRIGGER IF EXISTS \(table)_no_delete")
        }
        try db.execute(sql: sql, arguments: arguments)
    }
}

@Suite("Audit log through the real HTTP server")
struct AuditLogTests {
    static let members =
        LiveServer.secretariatAndMinistry + [
            LiveServer.Member(org: "ngo-a", kind: .ngo, user: "nadia")
        ]

    @Test(
        "a replica pins the server key at init, every head it pulls extends the last, and its accepted operations are proven"
    )
    func verifiesThroughHTTP() async throws {
        try await LiveServer.run("audit-verify", members: Self.members) { server in
            let sara = try await server.enrol("sara")
            #expect(try sara.pinnedServerKey() == server.storage.signer.publicKey)
            for round in 0..<3 {
                _ = try sara.put("recommendation", fields: ["text": .text("Recommendation \(round)")])
                _ = try await sara.syncWithServer()
            }
            // Another organisation's work grows the tree between this replica's heads.
            let malik = try await server.enrol("malik")
            _ = try await malik.syncWithServer()
            _ = try sara.put("recommendation", fields: ["text": .text("Recommendation 3")])
            _ = try await sara.syncWithServer()

            let report = try await sara.verifyAuditWithServer()
            #expect(report.problems == [])
            #expect(report.operations == 4)
            #expect(report.heads >= 4)
            #expect(report.head.treeSize == Int64(try await server.storage.operationCount()))
            try await followup(["--replica", server.data + "/sara", "audit", "verify"])
            // Heads already shown consistent are not proven again, and still verify.
            #expect(try await sara.verifyAuditWithServer().problems == [])
            #expect(try await server.storage.verifyAuditLog().problems == [])
        }
    }

    @Test("an operation rewritten or dropped in the server's database is found by the replica and by the operator")
    func detectsTampering() async throws {
        try await LiveServer.run("audit-tamper", members: Self.members) { server in
            let sara = try await server.enrol("sara")
            let first = try sara.put("recommendation", fields: ["text": .text("Adopt an anti-torture law")])
            let second = try sara.put("recommendation", fields: ["text": .text("Ratify OPCAT")])
            _ = try await sara.syncWithServer()
            #expect(try await sara.verifyAuditWithServer().problems == [])

            // The log refuses the change while its triggers stand.
            let queue = try DatabaseQueue(path: server.data + "/server/" + SQLiteServerStorage.fileName)
            #expect(throws: (any Error).self) {
                try queue.write { db in
                    try db.execute(sql: "UPDATE op_log SET fields = '{}' WHERE row_id = ?", arguments: [first])
                }
            }
            try queue.close()

            try tamper(
                server.data, "UPDATE op_log SET fields = '{\"text\":\"Adopt nothing\"}' WHERE row_id = ?",
                arguments: [first])
            var report = try await sara.verifyAuditWithServer()
            #expect(report.problems.count == 1)
            #expect(report.problems.first?.contains("rewritten") == true)
            #expect(report.problems.first?.contains(first) == true)
            let operator1 = try await server.storage.verifyAuditLog()
            #expect(operator1.problems.contains { $0.contains("is not what the tree recorded") })
            #expect(operator1.problems.contains { $0.contains("signed") && $0.contains("but the log gives") })

            try tamper(server.data, "DELETE FROM op_log WHERE row_id = ?", arguments: [second])
            report = try await sara.verifyAuditWithServer()
            #expect(report.problems.count == 2)
            #expect(report.problems.contains { $0.contains("dropped") && $0.contains(second) })
            await #expect(throws: (any Error).self) {
                try await followup(["--replica", server.data + "/sara", "audit", "verify"])
            }
            let operator2 = try await server.storage.verifyAuditLog()
            #expect(
                operator2.problems.contains { $0.contains("the tree recorded") && $0.contains("but the log holds") })
        }
    }

    @Test("a head signed by another key or badly signed is refused; two trees of one size are reported")
    func pinnedKey() async throws {
        try await LiveServer.run("audit-key", members: Self.members) { server in
            let sara = try await server.enrol("sara")
            _ = try sara.put("recommendation", fields: ["text": .text("Adopt a national action plan")])
            _ = try await sara.syncWithServer()
            let head = try #require(try await server.storage.latestTreeHead())
            let impostor = try SignedTreeHead.sign(
                treeSize: head.treeSize + 1, root: head.root, timestamp: head.timestamp,
                with: Curve25519.Signing.PrivateKey())
            #expect {
                try sara.observe(impostor)
            } throws: { ($0 as? ReplicaError)?.code == .serverKeyChanged }
            #expect(try sara.pinnedServerKey() == server.storage.signer.publicKey)
            var unsigned = head
            unsigned.treeSize += 5
            #expect { try sara.observe(unsigned) } throws: { ($0 as? ReplicaError)?.code == .auditFailed }

            // The server's own key signing a second tree of the same size: a fork.
            let fork = try server.storage.signer.sign(
                treeSize: head.treeSize, root: MerkleTree.leafHash([1]), timestamp: head.timestamp)
            try sara.observe(fork)
            let report = try await sara.verifyAuditWithServer()
            #expect(report.problems.contains { $0.contains("two different trees of \(head.treeSize)") })
        }
    }

    @Test("history names who changed which fields, for a row the user may see; any other row is not found alike")
    func history() async throws {
        try await LiveServer.run("audit-history", members: Self.members) { server in
            let nadia = try await server.enrol("nadia")
            let malik = try await server.enrol("malik")
            // A draft assessment is its owner's alone (a confidential submission would wait for the
            // NHRI's key before it is pushed, protocol §19).
            let draft = try nadia.put(
                "assessment", fields: ["rationale": .text("Witness W1 reports threats"), "rating": .text("limited")])
            _ = try await nadia.syncWithServer()
            _ = try nadia.put(
                "assessment", id: draft, fields: ["rationale": .text("Witness W1 reports threats again")])
            _ = try await nadia.syncWithServer()

            let seen = try await nadia.history(table: "assessment", row: draft)
            #expect(seen.entries.map(\.user) == ["nadia", "nadia"])
            #expect(seen.entries.map(\.org) == ["ngo-a", "ngo-a"])
            #expect(seen.entries.last?.fields == ["rationale"])
            #expect(seen.entries.first?.fields.contains("rating") == true)
            #expect(seen.entries.allSatisfy { $0.acceptedAt > 0 })
            try await followup(["--replica", server.data + "/nadia", "history", "assessment", draft])
            await #expect(throws: (any Error).self) {
                try await followup(["--replica", server.data + "/malik", "history", "assessment", draft])
            }

            // The ministry may not read the NGO's draft assessment: the answer is the one for no row at all.
            let read = try await server.storage.explain(user: "malik", table: "assessment", id: draft).read
            #expect(!read.allowed)
            let missing = UUIDv7.make()
            var refusals: [TransportError] = []
            for (table, row) in [("assessment", draft), ("assessment", missing), ("no_such_table", draft)] {
                do {
                    _ = try await malik.history(table: table, row: row)
                    Issue.record("malik read the history of \(table) \(row)")
                } catch let error as TransportError {
                    refusals.append(error)
                }
            }
            #expect(refusals.map(\.code) == [.notFound, .notFound, .notFound])
            #expect(refusals.map(\.status) == [404, 404, 404])
            #expect(
                refusals[0].message.replacingOccurrences(of: draft, with: "ID")
                    == refusals[1].message.replacingOccurrences(of: missing, with: "ID"))
        }
    }
}
