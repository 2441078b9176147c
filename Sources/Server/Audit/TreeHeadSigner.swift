import Crypto
import Foundation
import RowStorage
import Shared

/// The server's Ed25519 key that signs the heads of its audit log.
///
/// Made at the first start in the data directory (`audit-signing.key`, the raw 32-byte private
/// key in base64, readable by the owner alone) and kept from then on: replicas pin its
/// fingerprint, so a new key makes them refuse the server's heads.
public struct TreeHeadSigner: Sendable {
    /// The key file's name inside the data directory.
    public static let fileName = "audit-signing.key"

    /// The private key's 32 raw bytes (the key type itself is not `Sendable`).
    private let rawKey: Data
    /// The public key, base64 of its 32 raw bytes.
    public let publicKey: String

    private var key: Curve25519.Signing.PrivateKey {
        // The bytes were read from a valid key: they make one again.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
    }

    /// A signer with `key`.
    public init(key: Curve25519.Signing.PrivateKey = Curve25519.Signing.PrivateKey()) {
        self.rawKey = key.rawRepresentation
        self.publicKey = key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// The key of `dataDirectory`, created (owner-only) when missing.
    public init(dataDirectory: String) throws {
        let path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        let text = try PrivateFiles.secret(path) {
            Data(Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString().utf8)
        }
        guard
            let raw = Data(
                base64Encoded: String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw ServiceError(.internalError, "\(path) does not hold an Ed25519 private key") }
        self.init(key: key)
    }

    /// The public key's fingerprint, as replicas show it.
    public var fingerprint: String { SignedTreeHead.fingerprint(ofKey: publicKey) }

    /// Signs the head of a tree of `treeSize` leaves with root `root` at `timestamp`.
    public func sign(treeSize: Int64, root: TreeHash, timestamp: Int64) throws -> SignedTreeHead {
        try SignedTreeHead.sign(treeSize: treeSize, root: root, timestamp: timestamp, with: key)
    }
}
