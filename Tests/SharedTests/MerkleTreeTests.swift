import Crypto
import Foundation
import Shared
import Testing

/// RFC 9162 §2.1 written as the RFC states it, recursively over the leaf hashes: the oracle the
/// stored-node implementation is checked against.
private enum NaiveTree {
    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    static func mth(_ leaves: ArraySlice<TreeHash>) -> TreeHash {
        switch leaves.count {
        case 0: return TreeHash(sha256: [UInt8]())
        case 1: return leaves.first!
        default:
            let k = split(leaves.count)
            let start = leaves.startIndex
            return MerkleTree.nodeHash(mth(leaves[start..<start + k]), mth(leaves[(start + k)...]))
        }
    }

    static func path(_ m: Int, _ leaves: ArraySlice<TreeHash>) -> [TreeHash] {
        guard leaves.count > 1 else { return [] }
        let k = split(leaves.count)
        let start = leaves.startIndex
        return m < k
            ? path(m, leaves[start..<start + k]) + [mth(leaves[(start + k)...])]
            : path(m - k, leaves[(start + k)...]) + [mth(leaves[start..<start + k])]
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<TreeHash>, _ whole: Bool) -> [TreeHash] {
        let n = leaves.count
        if m == n { return whole ? [] : [mth(leaves)] }
        let k = split(n)
        let start = leaves.startIndex
        return m <= k
            ? subproof(m, leaves[start..<start + k], whole) + [mth(leaves[(start + k)...])]
            : subproof(m - k, leaves[(start + k)...], false) + [mth(leaves[start..<start + k])]
    }
}

@Suite("Audit log Merkle tree (RFC 9162)")
struct MerkleTreeTests {
    /// The leaves of the Certificate Transparency reference tests.
    static let referenceLeaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57], Array(0x60...0x6f),
    ]

    /// Their published roots for 1 to 8 leaves.
    static let referenceRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func leaves(_ count: Int) -> [TreeHash] {
        (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
    }

    @Test("the empty tree, the reference roots and a reference audit path")
    func fixedVectors() throws {
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let tree = MerkleLevels(leaves: Self.referenceLeaves.map(MerkleTree.leafHash))
        for size in 1...8 {
            #expect(tree.root(size: Int64(size))?.hex == Self.referenceRoots[size - 1])
        }
        let path = try MerkleTree.inclusionProof(index: 0, size: 8, nodes: tree)
        #expect(
            path.map(\.hex) == [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ])
    }

    @Test("roots, audit paths and consistency proofs equal the RFC's recursive definitions, for every size to 70")
    func matchesOracle() throws {
        let all = Self.leaves(70)
        let tree = MerkleLevels(leaves: all)
        for n in 1...70 {
            let leaves = all[0..<n]
            let root = NaiveTree.mth(leaves)
            #expect(try MerkleTree.root(size: Int64(n), nodes: tree) == root)
            for m in 0..<n {
                let path = try MerkleTree.inclusionProof(index: Int64(m), size: Int64(n), nodes: tree)
                #expect(path == NaiveTree.path(m, leaves), "path of \(m) in \(n)")
                #expect(
                    MerkleTree.verifyInclusion(leaf: all[m], index: Int64(m), size: Int64(n), proof: path, root: root))
            }
            for m in 1...n {
                let proof = try MerkleTree.consistencyProof(from: Int64(m), to: Int64(n), nodes: tree)
                #expect(proof == (m == n ? [] : NaiveTree.subproof(m, leaves, true)), "proof from \(m) to \(n)")
                #expect(
                    MerkleTree.verifyConsistency(
                        from: Int64(m), to: Int64(n), proof: proof, oldRoot: NaiveTree.mth(all[0..<m]), newRoot: root))
            }
        }
    }

    @Test("a proof fails for another leaf, index or root, and with any node changed, dropped or added")
    func tamperedProofsFail() throws {
        let all = Self.leaves(37)
        let tree = MerkleLevels(leaves: all)
        let other = MerkleTree.leafHash(Array("intruder".utf8))
        for n in [2, 5, 8, 13, 32, 37] {
            let root = try MerkleTree.root(size: Int64(n), nodes: tree)
            for m in 0..<n {
                let path = try MerkleTree.inclusionProof(index: Int64(m), size: Int64(n), nodes: tree)
                let (index, size) = (Int64(m), Int64(n))
                #expect(!MerkleTree.verifyInclusion(leaf: other, index: index, size: size, proof: path, root: root))
                #expect(!MerkleTree.verifyInclusion(leaf: all[m], index: index, size: size, proof: path, root: other))
                #expect(
                    !MerkleTree.verifyInclusion(
                        leaf: all[m], index: (index + 1) % size, size: size, proof: path, root: root)
                        || all[m] == all[(m + 1) % n])
                #expect(
                    !MerkleTree.verifyInclusion(
                        leaf: all[m], index: index, size: size, proof: path + [other], root: root))
                for position in path.indices {
                    var changed = path
                    changed[position] = other
                    #expect(
                        !MerkleTree.verifyInclusion(leaf: all[m], index: index, size: size, proof: changed, root: root))
                    changed.remove(at: position)
                    #expect(
                        !MerkleTree.verifyInclusion(leaf: all[m], index: index, size: size, proof: changed, root: root))
                }
            }
            for m in 1..<n {
                let old = try MerkleTree.root(size: Int64(m), nodes: tree)
                let proof = try MerkleTree.consistencyProof(from: Int64(m), to: Int64(n), nodes: tree)
                #expect(
                    !MerkleTree.verifyConsistency(
                        from: Int64(m), to: Int64(n), proof: proof, oldRoot: other, newRoot: root))
                #expect(
                    !MerkleTree.verifyConsistency(
                        from: Int64(m), to: Int64(n), proof: proof, oldRoot: old, newRoot: other))
                for position in proof.indices {
                    var changed = proof
                    changed[position] = other
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: Int64(m), to: Int64(n), proof: changed, oldRoot: old, newRoot: root))
                }
            }
        }
        // A rewritten old leaf makes a tree that no proof shows extending the first.
        var rewritten = all
        rewritten[3] = other
        let forged = MerkleLevels(leaves: rewritten)
        let proof = try MerkleTree.consistencyProof(from: 10, to: 37, nodes: forged)
        #expect(
            !MerkleTree.verifyConsistency(
                from: 10, to: 37, proof: proof, oldRoot: try #require(tree.root(size: 10)),
                newRoot: try #require(forged.root(size: 37))))
    }

    @Test("tree hashes read and write 64 hexadecimal digits only")
    func hexForm() throws {
        let hash = MerkleTree.leafHash([1, 2, 3])
        #expect(TreeHash(hex: hash.hex) == hash)
        #expect(TreeHash(hex: hash.hex.uppercased()) == hash)
        #expect(TreeHash(hex: String(hash.hex.dropLast())) == nil)
        #expect(TreeHash(hex: String(hash.hex.dropLast()) + "g") == nil)
        let data = try WireCoding.encoder().encode([hash])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(hash.hex)\"]")
        #expect(throws: DecodingError.self) {
            try WireCoding.decoder().decode([TreeHash].self, from: Data("[\"00\"]".utf8))
        }
    }
}

@Suite("Audit log leaves and signed heads")
struct AuditLeafTests {
    static let operation = SyncOperation(
        id: "0190a5b0-0000-7000-8000-000000000001", table: "action", row: "0190a5b0-0000-7000-8000-000000000002",
        kind: .upsert,
        fields: [
            "title": .text("Draft the bill"), "done": .bool(true), "budget": .real(1.5), "count": .integer(-2),
            "tags": .list(["a", "b"]), "note": .null,
        ],
        hlc: HLCTimestamp(physical: 1_800_000_000_000, logical: 3), replica: "r1", author: "sara", org: "nmirf")

    @Test("the leaf bytes of an operation are the specified encoding (golden vector)")
    func goldenLeaf() {
        let bytes = AuditLeaf.bytes(of: Self.operation)
        func string(_ text: String) -> [UInt8] {
            let utf8 = Array(text.utf8)
            return [0, 0, 0, UInt8(utf8.count)] + utf8
        }
        var expected: [UInt8] = [1]
        for text in [
            Self.operation.id, "action", Self.operation.row, "upsert", "001800000000000-00003", "r1", "sara", "nmirf",
        ] {
            expected += string(text)
        }
        expected += [0, 0, 0, 6]
        expected += string("budget") + [3] + Array(withUnsafeBytes(of: (1.5).bitPattern.bigEndian, Array.init))
        expected += string("count") + [2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]
        expected += string("done") + [1, 1]
        expected += string("note") + [0]
        expected += string("tags") + [5, 0, 0, 0, 2] + string("a") + string("b")
        expected += string("title") + [4] + string("Draft the bill")
        #expect(bytes == expected)
        #expect(AuditLeaf.hash(of: Self.operation) == TreeHash(sha256: [0] + expected))
        // The same vector computed apart from this code (protocol/README.md §18.2).
        #expect(
            AuditLeaf.hash(of: Self.operation).hex == "191ad56c8e74d1c7a641a497a851b4e7d212b1d19c1db065df82baf5ea776a91"
        )
    }

    @Test("a whole real encodes as the integer the log's JSON reads back; any other change changes the leaf")
    func canonicalNumbers() throws {
        var real = Self.operation
        real.fields["count"] = .real(-2)
        #expect(AuditLeaf.bytes(of: real) == AuditLeaf.bytes(of: Self.operation))
        let logged = try WireCoding.decoder().decode(
            SyncOperation.self, from: try WireCoding.encoder().encode(Self.operation))
        #expect(AuditLeaf.hash(of: logged) == AuditLeaf.hash(of: Self.operation))
        for change in [
            { (operation: inout SyncOperation) in operation.author = "malik" },
            { $0.org = "moj" }, { $0.fields["title"] = .text("Draft the law") }, { $0.fields["note"] = nil },
            { $0.hlc = HLCTimestamp(physical: 1_800_000_000_000, logical: 4) }, { $0.kind = .delete },
        ] {
            var changed = Self.operation
            change(&changed)
            #expect(AuditLeaf.hash(of: changed) != AuditLeaf.hash(of: Self.operation))
        }
    }

    @Test("the signed head of the golden pull page verifies with its key, as RFC 8032 signs it")
    func goldenHead() throws {
        let file = try #require(try GoldenVectors.json("messages/pull-response.json") as? [String: Any])
        let message = try GoldenVectors.data(try #require(file["message"]))
        let page = try WireCoding.decoder().decode(PullResponse.self, from: message)
        let head = try #require(page.head)
        #expect(head.isSigned(by: "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="))
        let seed = Data((1...32).map { UInt8($0) })
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        #expect(key.publicKey.rawRepresentation.base64EncodedString() == head.key)
        #expect(WireJSONReader.pullResponse(message) == page)
        #expect(WireJSONReader.pullResponse(WireJSON.encode(page)) == page)
    }

    @Test("a signed head verifies with its key only, and not once changed")
    func signedHeads() throws {
        let key = Curve25519.Signing.PrivateKey()
        let root = MerkleTree.leafHash([7])
        let head = try SignedTreeHead.sign(treeSize: 12, root: root, timestamp: 1_800_000_000_000, with: key)
        #expect(head.isSigned(by: key.publicKey.rawRepresentation.base64EncodedString()))
        let other = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
        #expect(!head.isSigned(by: other))
        var bigger = head
        bigger.treeSize = 13
        #expect(!bigger.isSigned(by: head.key))
        var moved = head
        moved.root = MerkleTree.leafHash([8])
        #expect(!moved.isSigned(by: head.key))
        var resigned = head
        resigned.key = other
        #expect(!resigned.isSigned(by: other))
        #expect(head.keyFingerprint.hasPrefix("SHA256:"))
        #expect(head.keyFingerprint.count == "SHA256:".count + 64 + 15)
        let decoded = try WireCoding.decoder().decode(SignedTreeHead.self, from: try WireCoding.encoder().encode(head))
        #expect(decoded == head)
    }
}
