import Crypto
import Foundation

/// The server's signed statement of its log: how many accepted operations, their Merkle root,
/// and when (protocol §18.3).
public struct SignedTreeHead: Codable, Sendable, Hashable {
    /// The number of leaves (accepted operations).
    public var treeSize: Int64
    /// The root of the tree of `treeSize` leaves.
    public var root: TreeHash
    /// When the server signed it, milliseconds since the epoch.
    public var timestamp: Int64
    /// The Ed25519 signature of `signedBytes`, base64.
    public var signature: String
    /// The server's Ed25519 public key (32 bytes), base64.
    public var key: String

    /// Creates a head.
    public init(treeSize: Int64, root: TreeHash, timestamp: Int64, signature: String, key: String) {
        self.treeSize = treeSize
        self.root = root
        self.timestamp = timestamp
        self.signature = signature
        self.key = key
    }

    /// What the signature covers: the ASCII `followup-tree-head-v1`, the size and the timestamp
    /// as 8-byte big-endian integers, then the 32 bytes of the root.
    public static func signedBytes(treeSize: Int64, root: TreeHash, timestamp: Int64) -> [UInt8] {
        var bytes = Array("followup-tree-head-v1".utf8)
        for value in [treeSize, timestamp] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> shift))
            }
        }
        bytes.append(contentsOf: root.bytes)
        return bytes
    }

    /// Signs a head with `key`.
    public static func sign(
        treeSize: Int64, root: TreeHash, timestamp: Int64, with key: Curve25519.Signing.PrivateKey
    ) throws -> SignedTreeHead {
        let signature = try key.signature(for: signedBytes(treeSize: treeSize, root: root, timestamp: timestamp))
        return SignedTreeHead(
            treeSize: treeSize, root: root, timestamp: timestamp, signature: signature.base64EncodedString(),
            key: key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// Whether the signature is `key`'s (base64 raw public key) over this head.
    public func isSigned(by key: String) -> Bool {
        guard key == self.key, let raw = Data(base64Encoded: key),
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = Data(base64Encoded: signature)
        else { return false }
        return publicKey.isValidSignature(
            signature, for: Self.signedBytes(treeSize: treeSize, root: root, timestamp: timestamp))
    }

    /// The fingerprint of the key that signed it.
    public var keyFingerprint: String { Self.fingerprint(ofKey: key) }

    /// A public key's fingerprint, as people compare it: `SHA256:` and the hexadecimal SHA-256 of
    /// the 32 raw key bytes, in groups of four digits.
    public static func fingerprint(ofKey key: String) -> String {
        let hex = TreeHash(sha256: Data(base64Encoded: key) ?? Data(key.utf8)).hex
        var groups: [Substring] = []
        var rest = Substring(hex)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return "SHA256:" + groups.joined(separator: ":")
    }

    enum CodingKeys: String, CodingKey {
        case root, timestamp, signature, key
        case treeSize = "tree_size"
    }
}
