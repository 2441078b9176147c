import Foundation
import GRDB
import RowStorage
import Shared

/// The audit log's storage: the Merkle tree over `op_log` (`audit_node`) and the signed heads
/// (`audit_head`), written in the transaction that accepts each operation (protocol §18).
extension SQLiteServerStorage {
    /// The columns `loggedOperation(_:)` reads, in its order.
    static let logColumns = "seq, op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id"

    /// An `op_log` row read with `logColumns` as the operation the log accepted.
    static func loggedOperation(_ row: Row, decoder: JSONDecoder) throws -> SyncOperation {
        let (kindText, fieldsText, hlcText): (String, String, String) = (row[4], row[5], row[6])
        guard let kind = SyncOperation.Kind(rawValue: kindText), let hlc = HLCTimestamp(hlcText),
            let fields = try? decoder.decode([String: FieldValue].self, from: Data(fieldsText.utf8))
        else { throw ServiceError(.internalError, "operation log entry \(row[0] as Int64) is unreadable") }
        return SyncOperation(
            id: row[1], table: row[2], row: row[3], kind: kind, fields: fields, hlc: hlc, replica: row[7],
            seq: row[0], author: row[8], org: row[9])
    }

    /// The number of leaves of the tree (accepted operations).
    static func treeSize(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(idx) FROM audit_node WHERE level = 0")).map { $0 + 1 }
            ?? 0
    }

    /// Signs and stores a head for the tree as it is, when it grew since the last head.
    static func signHeadIfGrown(_ db: Database, signer: TreeHeadSigner, now: Int64) throws {
        let size = try treeSize(db)
        let signed = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(tree_size) FROM audit_head")) ?? -1
        guard size > signed else { return }
        let head = try signer.sign(
            treeSize: size, root: try MerkleTree.root(size: size, nodes: StoredMerkleNodes(db: db)), timestamp: now)
        try db.execute(
            sql: "INSERT INTO audit_head (tree_size, root, signed_at, signature, public_key) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                head.treeSize, Data(head.root.bytes), head.timestamp, Data(base64Encoded: head.signature),
                Data(base64Encoded: head.key),
            ])
    }

    /// The latest signed head, if any.
    static func latestHead(_ db: Database) throws -> SignedTreeHead? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT tree_size, root, signed_at, signature, public_key FROM audit_head
                    ORDER BY tree_size DESC LIMIT 1
                    """)
        ).map(head(_:))
    }

    private static func head(_ row: Row) -> SignedTreeHead {
        SignedTreeHead(
            treeSize: row[0], root: TreeHash(bytes: Array(row[1] as Data)), timestamp: row[2],
            signature: (row[3] as Data).base64EncodedString(), key: (row[4] as Data).base64EncodedString())
    }

    /// The latest signed head of the log.
    public func latestTreeHead() async throws -> SignedTreeHead? {
        try await writer.read { db in try Self.latestHead(db) }
    }

    /// Inclusion proofs, in a tree of `request.treeSize` leaves, of the operations `replica`
    /// pushed among `request.ops`; the others are answered missing, whether they exist or not.
    public func inclusionProofs(_ request: InclusionRequest, replica: String) async throws -> InclusionResponse {
        guard request.ops.count <= InclusionRequest.maxOperations else {
            throw ServiceError(
                .batchTooLarge, "an inclusion request names at most \(InclusionRequest.maxOperations) operations")
        }
        return try await writer.read { db in
            let size = try Self.treeSize(db)
            guard request.treeSize > 0, request.treeSize <= size else {
                throw ServiceError(
                    .malformedRequest, "the tree has \(size) leaves; no proof for a tree of \(request.treeSize)")
            }
            let nodes = StoredMerkleNodes(db: db)
            let decoder = WireCoding.decoder()
            let find = try db.cachedStatement(
                sql: "SELECT \(Self.logColumns), leaf_index FROM op_log WHERE op_id = ? AND replica_id = ?")
            var response = InclusionResponse(treeSize: request.treeSize, proofs: [], missing: [])
            for id in request.ops {
                guard let row = try Row.fetchOne(find, arguments: [id, replica]), let index = row[10] as Int64?,
                    index < request.treeSize
                else {
                    response.missing.append(id)
                    continue
                }
                response.proofs.append(
                    InclusionProof(
                        op: id, index: index, operation: try Self.loggedOperation(row, decoder: decoder),
                        path: try MerkleTree.inclusionProof(index: index, size: request.treeSize, nodes: nodes)))
            }
            return response
        }
    }

    /// The proof that the tree of `to` leaves extends the tree of `from`.
    public func consistencyProof(_ request: ConsistencyRequest) async throws -> ConsistencyResponse {
        try await writer.read { db in
            let size = try Self.treeSize(db)
            guard request.from >= 0, request.from <= request.to, request.to <= size else {
                throw ServiceError(
                    .malformedRequest, "the tree has \(size) leaves; no proof from \(request.from) to \(request.to)")
            }
            return ConsistencyResponse(
                from: request.from, to: request.to,
                path: try MerkleTree.consistencyProof(
                    from: request.from, to: request.to, nodes: StoredMerkleNodes(db: db)))
        }
    }

    /// The accepted changes of row `row` of `table`, oldest first, when a holder of `keys` may
    /// see the row now; nil otherwise (unknown rows alike).
    public func history(table: String, row: String, keys: [String]) async throws -> [HistoryEntry]? {
        let rows = self.rows
        guard rows.schema.table(table) != nil else { return nil }
        return try await writer.read { db in
            let filing = try SQLiteSyncStore(db: db, rows: rows).filing(table, id: row)
            guard keys.contains(where: { filing[$0] == true }) else { return nil }
            let decoder = WireCoding.decoder()
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.logColumns), received_at FROM op_log
                    WHERE table_name = ? AND row_id = ? ORDER BY seq
                    """, arguments: [table, row]
            ).map { entry in
                let operation = try Self.loggedOperation(entry, decoder: decoder)
                return HistoryEntry(
                    acceptedAt: entry[10], hlc: operation.hlc.description, user: operation.author ?? "",
                    org: operation.org ?? "", kind: operation.kind, fields: operation.fields.keys.sorted())
            }
        }
    }

    /// Rebuilds the whole tree from `op_log` and checks it against the stored tree and every
    /// stored head (`admin audit verify`).
    public func verifyAuditLog() async throws -> AuditLogReport {
        let key = signer.publicKey
        return try await writer.read { db in
            var report = AuditLogReport()
            var rebuilt = MerkleLevels()
            let decoder = WireCoding.decoder()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.logColumns), leaf_index FROM op_log ORDER BY seq")
            let stored = StoredMerkleNodes(db: db)
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                let operation: SyncOperation
                do {
                    operation = try Self.loggedOperation(row, decoder: decoder)
                } catch {
                    report.problems.append("operation log entry \(seq) is unreadable")
                    continue
                }
                let index = rebuilt.size
                if (row[10] as Int64?) != index {
                    report.problems.append(
                        "operation \(operation.id) (log entry \(seq)) is recorded at leaf \((row[10] as Int64?).map(String.init) ?? "none") but is leaf \(index) of the log"
                    )
                }
                let leaf = AuditLeaf.hash(of: operation)
                if let recorded = try? stored.node(level: 0, index: index), recorded != leaf,
                    report.problems.count < AuditLogReport.maxListed
                {
                    report.problems.append(
                        "leaf \(index): operation \(operation.id) (log entry \(seq)) is not what the tree recorded when it was accepted"
                    )
                }
                rebuilt.append(leaf)
            }
            report.leaves = rebuilt.size
            let recordedSize = try Self.treeSize(db)
            if recordedSize != rebuilt.size {
                report.problems.append(
                    "the tree recorded \(recordedSize) accepted operations but the log holds \(rebuilt.size)")
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT tree_size, root, signed_at, signature, public_key FROM audit_head ORDER BY tree_size")
            {
                let head = Self.head(row)
                report.heads += 1
                if !head.isSigned(by: key) {
                    report.problems.append("the head of size \(head.treeSize) is not signed by this server's key")
                }
                guard let root = rebuilt.root(size: head.treeSize) else {
                    report.problems.append(
                        "the head of size \(head.treeSize) covers more operations than the log holds (\(rebuilt.size))")
                    continue
                }
                if root != head.root {
                    report.problems.append(
                        "the head of size \(head.treeSize) signed \(head.root.hex) but the log gives \(root.hex)")
                }
            }
            return report
        }
    }
}

/// What `admin audit verify` found.
public struct AuditLogReport: Sendable, Equatable {
    /// The most leaf mismatches listed one by one.
    static let maxListed = 50
    /// The leaves rebuilt from the log.
    public var leaves: Int64 = 0
    /// The signed heads checked.
    public var heads = 0
    /// Each thing that does not hold, in words; empty when the log is intact.
    public var problems: [String] = []
}

/// The complete subtrees the server stores, read inside one transaction.
struct StoredMerkleNodes: MerkleNodeSource {
    let db: Database

    func node(level: Int, index: Int64) throws -> TreeHash {
        guard
            let data = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT hash FROM audit_node WHERE level = ? AND idx = ?"),
                arguments: [level, index])
        else { throw ServiceError(.internalError, "the audit tree lacks node \(level)/\(index)") }
        return TreeHash(bytes: Array(data))
    }
}

/// The right edge of the audit tree inside one write transaction: its size and the last node
/// completed at each level, so appending a push's operations reads the database once.
///
/// A left sibling is always the last node completed at its level; any other is read.
final class AuditTreeEdge {
    private var next: Int64?
    private var last: [Int: MerkleNode] = [:]

    /// The number of leaves, read once per transaction.
    func size(_ db: Database) throws -> Int64 {
        if let next { return next }
        let size = try SQLiteServerStorage.treeSize(db)
        next = size
        return size
    }

    /// Appends the leaf of `operation`, logged at leaf `index`, and the subtrees it completes.
    func append(_ operation: SyncOperation, index: Int64, _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)")
        let stored = StoredMerkleNodes(db: db)
        for node in try MerkleTree.nodesCompleted(
            byLeaf: index, hash: AuditLeaf.hash(of: operation), nodes: EdgeNodes(edge: self, stored: stored))
        {
            try insert.execute(arguments: [node.level, node.index, Data(node.hash.bytes)])
            last[node.level] = node
        }
        next = index + 1
    }

    private struct EdgeNodes: MerkleNodeSource {
        let edge: AuditTreeEdge
        let stored: StoredMerkleNodes

        func node(level: Int, index: Int64) throws -> TreeHash {
            if let node = edge.last[level], node.index == index { return node.hash }
            return try stored.node(level: level, index: index)
        }
    }
}
