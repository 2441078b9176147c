import Client
import Foundation
import GRDB
import Server
import Shared
import TestSupport
import Testing

@Suite("Audit log in the server's storage")
struct AuditStorageTests {
    @Test("each accepted operation is a leaf, in log order, and each write that grows the tree signs a head")
    func leavesAndHeads() async throws {
        let server = try await InProcessServer()
        let (replica, engine) = try await server.replica(
            user: "sara", org: "nmirf", clock: ManualWallClock(millis: 1_800_000_000_000))
        for round in 0..<5 {
            _ = try replica.put("recommendation", fields: ["text": .text("Recommendation \(round)")])
            _ = try await engine.sync()
        }
        let storage = server.storage
        let operations = try await storage.operations(after: 0, limit: 10_000).operations
        let tree = MerkleLevels(leaves: operations.map(AuditLeaf.hash(of:)))
        let head = try #require(try await storage.latestTreeHead())
        #expect(head.treeSize == Int64(operations.count))
        #expect(head.root == tree.root(size: head.treeSize))
        #expect(head.isSigned(by: storage.signer.publicKey))
        let report = try await storage.verifyAuditLog()
        #expect(report.problems == [])
        #expect(report.leaves == Int64(operations.count))
        #expect(report.heads >= 6)

        // Proofs from the stored nodes verify against the head; another replica's ids are missing.
        let mine = operations.filter { $0.author == "sara" }.map(\.id)
        let session = try #require(
            try await storage.session(tokenHash: "token-sara")?.session)
        let answer = try await storage.inclusionProofs(
            InclusionRequest(treeSize: head.treeSize, ops: mine + [operations[0].id]), replica: session.replica)
        #expect(answer.missing == [operations[0].id])
        #expect(answer.proofs.map(\.op) == mine)
        for proof in answer.proofs {
            #expect(
                MerkleTree.verifyInclusion(
                    leaf: AuditLeaf.hash(of: proof.operation), index: proof.index, size: head.treeSize,
                    proof: proof.path, root: head.root))
        }
        let consistency = try await storage.consistencyProof(ConsistencyRequest(from: 3, to: head.treeSize))
        #expect(
            MerkleTree.verifyConsistency(
                from: 3, to: head.treeSize, proof: consistency.path, oldRoot: try #require(tree.root(size: 3)),
                newRoot: head.root))
        await #expect(throws: ServiceError.self) {
            try await storage.consistencyProof(ConsistencyRequest(from: 3, to: head.treeSize + 1))
        }
        await #expect(throws: ServiceError.self) {
            try await storage.inclusionProofs(InclusionRequest(treeSize: head.treeSize + 1, ops: mine), replica: "x")
        }
    }

    @Test("the signing key is made once, owner-only, in the data directory, and kept at every start")
    func signingKey() async throws {
        let data = try temporaryDirectory("audit-key")
        let storage = try SQLiteServerStorage(dataDirectory: data, policy: .standard, clock: SystemWallClock())
        let path = data + "/" + TreeHeadSigner.fileName
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await storage.addOrganisation(id: "nmirf", name: "Secretariat", kind: .secretariat)
        let reopened = try SQLiteServerStorage(dataDirectory: data, policy: .standard, clock: SystemWallClock())
        #expect(reopened.signer.publicKey == storage.signer.publicKey)
        #expect(try await reopened.verifyAuditLog().problems == [])
    }

    @Test("admin audit verify exits 0 on an intact log and 1, naming the operation, on a rewritten one")
    func adminVerify() async throws {
        let (storage, data) = try await LiveServer.prepare("audit-admin", members: LiveServer.secretariatAndMinistry)
        let directory = data + "/server"
        let intact = try Executables.run("followup-server", ["admin", "--data", directory, "audit", "verify"])
        #expect(intact.status == 0)
        #expect(intact.output.contains("audit log intact"))
        let key = try Executables.run("followup-server", ["admin", "--data", directory, "audit", "key"])
        #expect(key.output.trimmingCharacters(in: .whitespacesAndNewlines) == storage.signer.fingerprint)
        let victim = try #require(try await storage.operations(after: 0, limit: 100).operations.last)
        let queue = try DatabaseQueue(path: directory + "/" + SQLiteServerStorage.fileName)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER op_log_no_update")
            try db.execute(
                sql: "UPDATE op_log SET fields = '{\"name\":\"Forged\"}' WHERE op_id = ?", arguments: [victim.id])
        }
        try queue.close()
        let rewritten = try Executables.run("followup-server", ["admin", "--data", directory, "audit", "verify"])
        #expect(rewritten.status == 1)
        let report = try await storage.verifyAuditLog()
        #expect(report.problems.contains { $0.contains(victim.id) })
    }
}
