import Crypto
import Foundation

/// A SHA-256 hash in the audit log's Merkle tree: a leaf, an inner node or a root.
///
/// Travels as 64 lowercase hexadecimal digits.
public struct TreeHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 32 bytes.
    public var bytes: [UInt8]

    /// Wraps 32 bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads 64 hexadecimal digits; nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for pair in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[pair]), let low = Self.nibble(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The SHA-256 of `data`.
    public init(sha256 data: some DataProtocol) {
        self.bytes = Array(SHA256.hash(data: data))
    }

    /// The lowercase hexadecimal form.
    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hash = TreeHash(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a tree hash is 64 hexadecimal digits")
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Where the hashes of a tree's complete subtrees come from: a database table, or memory.
///
/// The node at `level` and `index` covers leaves `index * 2^level ..< (index + 1) * 2^level`;
/// level 0 holds the leaf hashes.
public protocol MerkleNodeSource {
    /// The hash of a complete subtree the source holds; throws when it is missing.
    func node(level: Int, index: Int64) throws -> TreeHash
}

/// A complete subtree's hash, as a store keeps it.
public struct MerkleNode: Sendable, Hashable {
    /// Its height above the leaves (0 for a leaf).
    public var level: Int
    /// Its position among the nodes of its level.
    public var index: Int64
    /// Its hash.
    public var hash: TreeHash

    /// Creates a node.
    public init(level: Int, index: Int64, hash: TreeHash) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}

/// A node the source was asked for and does not hold.
public struct MissingMerkleNode: Error, Sendable, Equatable {
    /// The node's level.
    public var level: Int
    /// The node's index.
    public var index: Int64

    /// Creates the error.
    public init(level: Int, index: Int64) {
        self.level = level
        self.index = index
    }
}

/// The Merkle tree maths of RFC 9162 (Certificate Transparency 2.0), §2.1: hashes, roots,
/// inclusion and consistency proofs, and their verification.
///
/// Pure functions: trees are read through a `MerkleNodeSource` holding the complete subtrees
/// (every range the RFC's recursion reaches is a complete subtree or splits into them).
public enum MerkleTree {
    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot = TreeHash(sha256: [UInt8]())

    /// A leaf's hash: SHA-256(0x00 ‖ bytes).
    public static func leafHash(_ bytes: [UInt8]) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: bytes)
        return TreeHash(bytes: Array(hasher.finalize()))
    }

    /// An inner node's hash: SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return TreeHash(bytes: Array(hasher.finalize()))
    }

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func split(_ n: Int64) -> Int64 {
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The hash of leaves `lo ..< hi` (hi > lo), from the complete subtrees of `nodes`.
    public static func subtreeHash(_ lo: Int64, _ hi: Int64, nodes: some MerkleNodeSource) throws -> TreeHash {
        let n = hi - lo
        if n & (n - 1) == 0 {
            // A complete subtree: the recursion only reaches ranges aligned on their size.
            return try nodes.node(level: n.trailingZeroBitCount, index: lo / n)
        }
        let k = split(n)
        return nodeHash(try subtreeHash(lo, lo + k, nodes: nodes), try subtreeHash(lo + k, hi, nodes: nodes))
    }

    /// The root of the first `size` leaves (MTH of RFC 9162 §2.1.1).
    public static func root(size: Int64, nodes: some MerkleNodeSource) throws -> TreeHash {
        size == 0 ? emptyRoot : try subtreeHash(0, size, nodes: nodes)
    }

    /// The nodes a new leaf completes: the leaf itself, then each subtree it closes.
    ///
    /// - Parameters:
    ///   - index: the new leaf's index (the tree's size before it).
    ///   - leaf: its hash.
    ///   - nodes: the tree before the leaf (asked for the left siblings).
    public static func nodesCompleted(byLeaf index: Int64, hash leaf: TreeHash, nodes: some MerkleNodeSource)
        throws -> [MerkleNode]
    {
        var completed = [MerkleNode(level: 0, index: index, hash: leaf)]
        var (level, position, hash) = (0, index, leaf)
        while position & 1 == 1 {
            hash = nodeHash(try nodes.node(level: level, index: position - 1), hash)
            level += 1
            position >>= 1
            completed.append(MerkleNode(level: level, index: position, hash: hash))
        }
        return completed
    }

    /// The audit path of leaf `index` in the tree of `size` leaves (PATH of RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int64, size: Int64, nodes: some MerkleNodeSource) throws -> [TreeHash] {
        precondition(index >= 0 && index < size, "leaf \(index) is not in a tree of \(size)")
        var proof: [TreeHash] = []
        var (m, lo, hi) = (index, Int64(0), size)
        // Iterative form of the RFC's recursion: its nodes, deepest first.
        var reversed: [TreeHash] = []
        while hi - lo > 1 {
            let k = split(hi - lo)
            if m < k {
                reversed.append(try subtreeHash(lo + k, hi, nodes: nodes))
                hi = lo + k
            } else {
                reversed.append(try subtreeHash(lo, lo + k, nodes: nodes))
                lo += k
                m -= k
            }
        }
        proof.append(contentsOf: reversed.reversed())
        return proof
    }

    /// The proof that the tree of `newSize` leaves extends the tree of `oldSize`
    /// (PROOF and SUBPROOF of RFC 9162 §2.1.4.1); empty when the sizes are equal or `oldSize` is 0.
    public static func consistencyProof(from oldSize: Int64, to newSize: Int64, nodes: some MerkleNodeSource) throws
        -> [TreeHash]
    {
        precondition(oldSize >= 0 && oldSize <= newSize, "a tree of \(oldSize) cannot grow into \(newSize)")
        guard oldSize > 0, oldSize < newSize else { return [] }
        var reversed: [TreeHash] = []
        var (m, lo, hi, whole) = (oldSize, Int64(0), newSize, true)
        while m != hi - lo {
            let k = split(hi - lo)
            if m <= k {
                reversed.append(try subtreeHash(lo + k, hi, nodes: nodes))
                hi = lo + k
            } else {
                reversed.append(try subtreeHash(lo, lo + k, nodes: nodes))
                lo += k
                m -= k
                whole = false
            }
        }
        if !whole { reversed.append(try subtreeHash(lo, hi, nodes: nodes)) }
        return reversed.reversed()
    }

    /// Whether `proof` shows leaf hash `leaf` at `index` under `root` of a tree of `size`
    /// leaves (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leaf: TreeHash, index: Int64, size: Int64, proof: [TreeHash], root: TreeHash
    ) -> Bool {
        guard index >= 0, index < size else { return false }
        var (fn, sn, hash) = (index, size - 1, leaf)
        for node in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(node, hash)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                hash = nodeHash(hash, node)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }

    /// Whether `proof` shows the tree of `newSize` leaves with root `newRoot` extends the tree
    /// of `oldSize` with root `oldRoot` (RFC 9162 §2.1.4.2).
    ///
    /// Equal sizes need equal roots and an empty proof; the empty tree is extended by every tree.
    public static func verifyConsistency(
        from oldSize: Int64, to newSize: Int64, proof: [TreeHash], oldRoot: TreeHash, newRoot: TreeHash
    ) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { return false }
        var (fn, sn) = (oldSize - 1, newSize - 1)
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var (oldHash, newHash) = (first, first)
        for node in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                oldHash = nodeHash(node, oldHash)
                newHash = nodeHash(node, newHash)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                newHash = nodeHash(newHash, node)
            }
            fn >>= 1
            sn >>= 1
        }
        return oldHash == oldRoot && newHash == newRoot && sn == 0
    }
}

/// A whole tree held in memory, level by level: what `admin audit verify` rebuilds from the
/// log, and what tests check proofs against.
public struct MerkleLevels: MerkleNodeSource, Sendable {
    /// `levels[l][i]` is the node at level `l`, index `i`.
    public private(set) var levels: [[TreeHash]] = [[]]

    /// An empty tree.
    public init() {}

    /// A tree of `leaves` (leaf hashes), in order.
    public init(leaves: [TreeHash]) {
        for leaf in leaves { append(leaf) }
    }

    /// The number of leaves.
    public var size: Int64 { Int64(levels[0].count) }

    /// Appends a leaf hash, completing the subtrees it closes.
    public mutating func append(_ leaf: TreeHash) {
        // The left siblings are in memory: the lookup cannot fail.
        let completed = (try? MerkleTree.nodesCompleted(byLeaf: size, hash: leaf, nodes: self)) ?? []
        for node in completed {
            if levels.count <= node.level { levels.append([]) }
            levels[node.level].append(node.hash)
        }
    }

    public func node(level: Int, index: Int64) throws -> TreeHash {
        guard level < levels.count, index >= 0, index < levels[level].count else {
            throw MissingMerkleNode(level: level, index: index)
        }
        return levels[level][Int(index)]
    }

    /// The root of the first `size` leaves.
    public func root(size: Int64) -> TreeHash? {
        size <= self.size ? try? MerkleTree.root(size: size, nodes: self) : nil
    }
}
