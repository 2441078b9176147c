import Foundation
import GRDB
import Shared

/// What `followup audit verify` found.
public struct AuditVerification: Sendable, Equatable {
    /// The latest signed head, the one inclusion was checked under.
    public var head: SignedTreeHead
    /// The accepted operations of this replica checked for inclusion.
    public var operations = 0
    /// The heads seen, in all.
    public var heads = 0
    /// Each thing that does not hold, in words; empty when the log is as this replica saw it.
    public var problems: [String] = []
}

extension Replica {
    /// The most operation ids an inclusion request names (the protocol's limit).
    static let inclusionBatch = InclusionRequest.maxOperations

    /// The server key this replica pinned (base64), if any.
    public func pinnedServerKey() throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT public_key FROM audit_key") }
    }

    /// Checks a signed head the server sent and keeps it among the heads seen.
    ///
    /// The first head pins its key (at `followup init`); a head signed by another key, or not
    /// signed by its key, is refused with `server_key_changed` or `audit_failed`.
    public func observe(_ head: SignedTreeHead) throws {
        try writer.write { db in
            if let pinned = try String.fetchOne(db, sql: "SELECT public_key FROM audit_key") {
                guard pinned == head.key else {
                    throw ReplicaError(
                        .serverKeyChanged,
                        "the server signed its audit log with key \(head.keyFingerprint), not the key \(SignedTreeHead.fingerprint(ofKey: pinned)) this replica pinned at init; do not trust this server until its operator explains"
                    )
                }
            } else {
                try db.execute(
                    sql: "INSERT INTO audit_key (singleton, public_key, pinned_at) VALUES (1, ?, ?)",
                    arguments: [head.key, wallClock.nowMillis()])
            }
            guard head.isSigned(by: head.key) else {
                throw ReplicaError(
                    .auditFailed, "the server's head of size \(head.treeSize) does not carry a valid signature")
            }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO audit_head (tree_size, root, signed_at, signature) VALUES (?, ?, ?, ?)
                    """, arguments: [head.treeSize, head.root.hex, head.timestamp, head.signature])
        }
    }

    /// The heads this replica has seen, smallest tree first, with whether each was shown to extend
    /// the ones before it.
    func seenHeads() throws -> [(head: SignedTreeHead, checked: Bool)] {
        try writer.read { db in
            let key = try String.fetchOne(db, sql: "SELECT public_key FROM audit_key") ?? ""
            return try Row.fetchAll(
                db,
                sql: "SELECT tree_size, root, signed_at, signature, checked FROM audit_head ORDER BY tree_size, root"
            ).map { row in
                (
                    SignedTreeHead(
                        treeSize: row[0], root: TreeHash(hex: row[1]) ?? MerkleTree.emptyRoot, timestamp: row[2],
                        signature: row[3], key: key), row[4]
                )
            }
        }
    }

    /// Verifies the server's log as this replica saw it (`followup audit verify`): each head it
    /// has seen extends the one before (consistency proofs), and every operation it pushed and
    /// saw accepted is in the latest head's tree, unchanged (inclusion proofs).
    public func verifyAudit(using transport: some AuditTransport) async throws -> AuditVerification {
        let latest = try await transport.treeHead()
        try observe(latest)
        var report = AuditVerification(head: latest)
        let heads = try seenHeads()
        report.heads = heads.count
        // Two heads of one size are two different logs, whatever else holds.
        for (size, group) in Dictionary(grouping: heads, by: \.head.treeSize).sorted(by: { $0.key < $1.key })
        where group.count > 1 {
            report.problems.append(
                "the server signed two different trees of \(size) operations: \(group.map(\.head.root.hex).joined(separator: " and "))"
            )
        }
        // Heads already shown consistent need no proof again: start from the last of them.
        let start = heads.lastIndex(where: \.checked) ?? 0
        if start < heads.count { try markChecked(heads[start].head) }
        var consistent = true
        for (older, newer) in zip(heads[start...], heads[(start + 1)...]) where consistent {
            let (old, new) = (older.head, newer.head)
            if old.treeSize == new.treeSize {
                consistent = false
                continue
            }
            let proof: ConsistencyResponse
            do {
                proof = try await transport.consistencyProof(ConsistencyRequest(from: old.treeSize, to: new.treeSize))
            } catch let error as TransportError where error.code == .malformedRequest {
                report.problems.append(
                    "the server signed a head of \(new.treeSize) operations but cannot prove it extends the head of \(old.treeSize): \(error.message)"
                )
                consistent = false
                continue
            }
            if MerkleTree.verifyConsistency(
                from: old.treeSize, to: new.treeSize, proof: proof.path, oldRoot: old.root, newRoot: new.root)
            {
                try markChecked(new)
            } else {
                report.problems.append(
                    "the head of \(new.treeSize) operations does not extend the head of \(old.treeSize) this replica saw: the log was rewritten"
                )
                consistent = false
            }
        }
        let schema = self.schema
        let accepted = try acceptedOperations()
        report.operations = accepted.count
        for start in stride(from: 0, to: accepted.count, by: Self.inclusionBatch) {
            let batch = accepted[start..<min(start + Self.inclusionBatch, accepted.count)]
            let answer = try await transport.inclusionProofs(
                InclusionRequest(treeSize: latest.treeSize, ops: batch.map(\.id)))
            var proven = Set<String>()
            let pushed = Dictionary(batch.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for proof in answer.proofs {
                guard let mine = pushed[proof.op], proven.insert(proof.op).inserted else { continue }
                guard proof.operation.id == mine.id, proof.operation.replica == mine.replica,
                    PushDecider.isResend(mine, of: proof.operation, schema: schema)
                else {
                    report.problems.append(
                        "operation \(mine.id) (\(mine.table) \(mine.row)) is not in the log as it was accepted: it was rewritten"
                    )
                    continue
                }
                if !MerkleTree.verifyInclusion(
                    leaf: AuditLeaf.hash(of: proof.operation), index: proof.index, size: latest.treeSize,
                    proof: proof.path, root: latest.root)
                {
                    report.problems.append(
                        "operation \(mine.id) (\(mine.table) \(mine.row)) is not under the signed head of \(latest.treeSize) operations: the log was rewritten"
                    )
                }
            }
            for operation in batch where !proven.contains(operation.id) {
                report.problems.append(
                    "operation \(operation.id) (\(operation.table) \(operation.row)) was accepted but is missing from the log: it was dropped"
                )
            }
        }
        return report
    }

    /// The operations this replica pushed and saw accepted, in acceptance order.
    func acceptedOperations() throws -> [SyncOperation] {
        let decoder = WireCoding.decoder()
        return try writer.read { db in
            try String.fetchAll(db, sql: "SELECT op FROM accepted_op ORDER BY seq, op_id").map {
                try decoder.decode(SyncOperation.self, from: Data($0.utf8))
            }
        }
    }

    /// Forgets the accepted operations kept for `audit verify`: the replica now stands for
    /// another organisation's scope or another device, whose operations they are not.
    static func forgetAcceptedOperations(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM accepted_op")
    }

    private func markChecked(_ head: SignedTreeHead) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE audit_head SET checked = 1 WHERE tree_size = ? AND root = ?",
                arguments: [head.treeSize, head.root.hex])
        }
    }
}

extension Replica {
    /// `verifyAudit(using:)` against the replica's server, with its session.
    public func verifyAuditWithServer() async throws -> AuditVerification {
        try await verifyAudit(using: try serverTransport())
    }

    /// Who changed row `row` of `table`, when, and which fields, as the server's log says
    /// (`followup history`); `not_found` for a row this replica's organisation may not see.
    public func history(table: String, row: String) async throws -> HistoryResponse {
        try await serverTransport().history(HistoryRequest(table: table, row: row))
    }
}
