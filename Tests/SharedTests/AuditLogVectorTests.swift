import Crypto
import Foundation
import Shared
import Testing

/// The audit log's golden vector (protocol §18), written by an implementation independent of
/// this one (`scripts/reference/audit-log-vector.py`): this code makes the same leaf bytes,
/// roots, proofs and signed bytes, verifies its proofs and heads, and refuses the changed ones.
@Suite("Audit log golden vector")
struct AuditLogVectorTests {
    struct Vector: Decodable {
        struct Leaf: Decodable {
            var operation: SyncOperation
            var leafBytes: String
            var leafHash: TreeHash

            enum CodingKeys: String, CodingKey {
                case operation
                case leafBytes = "leaf_bytes"
                case leafHash = "leaf_hash"
            }
        }

        struct Root: Decodable {
            var treeSize: Int64
            var root: TreeHash

            enum CodingKeys: String, CodingKey {
                case root
                case treeSize = "tree_size"
            }
        }

        struct Inclusion: Decodable {
            var index: Int64
            var treeSize: Int64
            var path: [TreeHash]
            var reason: String?
            var leafHash: TreeHash?
            var root: TreeHash?

            enum CodingKeys: String, CodingKey {
                case index, path, reason, root
                case treeSize = "tree_size"
                case leafHash = "leaf_hash"
            }
        }

        struct Consistency: Decodable {
            var from: Int64
            var to: Int64
            var path: [TreeHash]
            var reason: String?
            var fromRoot: TreeHash?
            var toRoot: TreeHash?

            enum CodingKeys: String, CodingKey {
                case from, to, path, reason
                case fromRoot = "from_root"
                case toRoot = "to_root"
            }
        }

        struct Key: Decodable {
            var seed: String
            var publicKey: String
            var fingerprint: String

            enum CodingKeys: String, CodingKey {
                case seed, fingerprint
                case publicKey = "public_key"
            }
        }

        struct Head: Decodable {
            var head: SignedTreeHead
            var signedBytes: String?
            var reason: String?

            enum CodingKeys: String, CodingKey {
                case head, reason
                case signedBytes = "signed_bytes"
            }
        }

        var operations: [Leaf]
        var roots: [Root]
        var inclusion: [Inclusion]
        var consistency: [Consistency]
        var key: Key
        var heads: [Head]
        var invalidInclusion: [Inclusion]
        var invalidConsistency: [Consistency]
        var invalidHeads: [Head]

        enum CodingKeys: String, CodingKey {
            case operations, roots, inclusion, consistency, key, heads
            case invalidInclusion = "invalid_inclusion"
            case invalidConsistency = "invalid_consistency"
            case invalidHeads = "invalid_heads"
        }

        /// The tree of the vector's leaves, hashed here.
        var tree: MerkleLevels { MerkleLevels(leaves: operations.map { AuditLeaf.hash(of: $0.operation) }) }

        /// The root of `size` leaves, as the vector gives it.
        func root(_ size: Int64) throws -> TreeHash {
            try #require(roots.first { $0.treeSize == size }).root
        }
    }

    static func vector() throws -> Vector {
        try WireCoding.decoder().decode(
            Vector.self, from: Data(contentsOf: GoldenVectors.directory.appendingPathComponent("audit-log.json")))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func flipped(_ hash: TreeHash) -> TreeHash {
        var bytes = hash.bytes
        bytes[31] ^= 0x80
        return TreeHash(bytes: bytes)
    }

    @Test(
        "the leaf bytes and leaf hashes of the vector's operations are this encoding's, before and after the log's JSON"
    )
    func leaves() throws {
        let vector = try Self.vector()
        #expect(vector.operations.count == 7)
        #expect(Set(vector.operations.map(\.operation.table)).count >= 4)
        #expect(vector.operations.contains { $0.operation.kind == .delete })
        for leaf in vector.operations {
            #expect(Self.hex(AuditLeaf.bytes(of: leaf.operation)) == leaf.leafBytes, "\(leaf.operation.id)")
            #expect(AuditLeaf.hash(of: leaf.operation) == leaf.leafHash, "\(leaf.operation.id)")
            // The log stores the operation as JSON and a verifier rebuilds the leaf from it.
            let logged = try WireCoding.decoder().decode(
                SyncOperation.self, from: try WireCoding.encoder().encode(leaf.operation))
            #expect(AuditLeaf.hash(of: logged) == leaf.leafHash, "\(leaf.operation.id)")
            let stored = try WireCoding.decoder().decode(
                [String: FieldValue].self, from: Data(WireJSON.encode(leaf.operation.fields).utf8))
            var restored = leaf.operation
            restored.fields = stored
            #expect(AuditLeaf.hash(of: restored) == leaf.leafHash, "\(leaf.operation.id)")
        }
    }

    @Test("the roots of every size and every inclusion and consistency proof are the vector's, and verify")
    func proofs() throws {
        let vector = try Self.vector()
        let tree = vector.tree
        #expect(vector.roots.count == 8 && vector.inclusion.count == 28 && vector.consistency.count == 36)
        for root in vector.roots {
            #expect(tree.root(size: root.treeSize) == root.root, "root of \(root.treeSize)")
        }
        for item in vector.inclusion {
            let label = "leaf \(item.index) of \(item.treeSize)"
            #expect(
                try MerkleTree.inclusionProof(index: item.index, size: item.treeSize, nodes: tree) == item.path,
                "\(label)")
            #expect(
                MerkleTree.verifyInclusion(
                    leaf: try tree.node(level: 0, index: item.index), index: item.index, size: item.treeSize,
                    proof: item.path, root: try vector.root(item.treeSize)), "\(label)")
        }
        for item in vector.consistency {
            let label = "\(item.from) to \(item.to)"
            #expect(try MerkleTree.consistencyProof(from: item.from, to: item.to, nodes: tree) == item.path, "\(label)")
            #expect(
                MerkleTree.verifyConsistency(
                    from: item.from, to: item.to, proof: item.path, oldRoot: try vector.root(item.from),
                    newRoot: try vector.root(item.to)), "\(label)")
        }
    }

    @Test("the signed heads: their signed bytes, signatures and key fingerprint are the vector's")
    func heads() throws {
        let vector = try Self.vector()
        let seed = try #require(TreeHash(hex: vector.key.seed)).bytes
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        #expect(key.publicKey.rawRepresentation.base64EncodedString() == vector.key.publicKey)
        #expect(SignedTreeHead.fingerprint(ofKey: vector.key.publicKey) == vector.key.fingerprint)
        #expect(vector.heads.count == 2)
        for item in vector.heads {
            let head = item.head
            #expect(head.key == vector.key.publicKey && head.keyFingerprint == vector.key.fingerprint)
            #expect(head.root == (try vector.root(head.treeSize)))
            let signed = SignedTreeHead.signedBytes(treeSize: head.treeSize, root: head.root, timestamp: head.timestamp)
            #expect(Self.hex(signed) == item.signedBytes)
            #expect(head.isSigned(by: vector.key.publicKey))
            let again = try SignedTreeHead.sign(
                treeSize: head.treeSize, root: head.root, timestamp: head.timestamp, with: key)
            #expect(again.isSigned(by: vector.key.publicKey) && again.key == head.key)
            // The head travels in a pull page; both readers take it as the vector writes it.
            let page = PullResponse(
                changes: [], cursor: 0, more: false, org: "ddd", orgKind: "nhri", serverTime: head.timestamp, head: head
            )
            #expect(WireJSONReader.pullResponse(try WireCoding.encoder().encode(page))?.head == head)
            #expect(WireJSONReader.pullResponse(WireJSON.encode(page))?.head == head)
        }
        let (small, large) = (vector.heads[0].head, vector.heads[1].head)
        let proof = try #require(vector.consistency.first { $0.from == small.treeSize && $0.to == large.treeSize })
        #expect(
            MerkleTree.verifyConsistency(
                from: small.treeSize, to: large.treeSize, proof: proof.path, oldRoot: small.root, newRoot: large.root))
    }

    @Test("a changed proof, head or leaf is refused: the vector's cases, and every node of every proof changed")
    func tampered() throws {
        let vector = try Self.vector()
        #expect(vector.invalidInclusion.count >= 5 && vector.invalidConsistency.count >= 5)
        #expect(vector.invalidHeads.count >= 4)
        for item in vector.invalidInclusion {
            #expect(
                !MerkleTree.verifyInclusion(
                    leaf: try #require(item.leafHash), index: item.index, size: item.treeSize, proof: item.path,
                    root: try #require(item.root)), "\(item.reason ?? "")")
        }
        for item in vector.invalidConsistency {
            #expect(
                !MerkleTree.verifyConsistency(
                    from: item.from, to: item.to, proof: item.path, oldRoot: try #require(item.fromRoot),
                    newRoot: try #require(item.toRoot)), "\(item.reason ?? "")")
        }
        for item in vector.invalidHeads {
            #expect(!item.head.isSigned(by: vector.key.publicKey), "\(item.reason ?? "")")
            #expect(!item.head.isSigned(by: item.head.key), "\(item.reason ?? "")")
        }
        let tree = vector.tree
        for item in vector.inclusion {
            let leaf = try tree.node(level: 0, index: item.index)
            let root = try vector.root(item.treeSize)
            for position in item.path.indices {
                var changed = item.path
                changed[position] = Self.flipped(changed[position])
                #expect(
                    !MerkleTree.verifyInclusion(
                        leaf: leaf, index: item.index, size: item.treeSize, proof: changed, root: root))
            }
            #expect(
                !MerkleTree.verifyInclusion(
                    leaf: Self.flipped(leaf), index: item.index, size: item.treeSize, proof: item.path, root: root))
        }
        for item in vector.consistency {
            let (old, new) = (try vector.root(item.from), try vector.root(item.to))
            for position in item.path.indices {
                var changed = item.path
                changed[position] = Self.flipped(changed[position])
                #expect(
                    !MerkleTree.verifyConsistency(
                        from: item.from, to: item.to, proof: changed, oldRoot: old, newRoot: new))
            }
            if item.from > 0 {
                #expect(
                    !MerkleTree.verifyConsistency(
                        from: item.from, to: item.to, proof: item.path, oldRoot: Self.flipped(old), newRoot: new))
            }
        }
        // A rewritten operation is no longer the leaf its proof shows.
        let seven = try vector.root(7)
        for (index, leaf) in vector.operations.enumerated() {
            let path = try #require(vector.inclusion.first { $0.index == index && $0.treeSize == 7 }).path
            var rewritten = leaf.operation
            rewritten.hlc = HLCTimestamp(physical: rewritten.hlc.physical, logical: rewritten.hlc.logical + 1)
            var reauthored = leaf.operation
            reauthored.author = "someone-else"
            for changed in [rewritten, reauthored] {
                #expect(
                    !MerkleTree.verifyInclusion(
                        leaf: AuditLeaf.hash(of: changed), index: Int64(index), size: 7, proof: path, root: seven))
            }
        }
    }
}
