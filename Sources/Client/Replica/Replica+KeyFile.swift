import Crypto
import Foundation
import GRDB
import Shared
import _CryptoExtras

/// A passphrase-protected file holding an organisation's private keys, to move them between
/// its staff's devices (`followup keys export`, `keys import`).
///
/// A JSON object: `format` (`followup-key-file/1`), `org`, the scrypt parameters (`n`, `r`,
/// `p`) and `salt` (16 bytes, base64), and `box`: ChaCha20-Poly1305 (nonce, ciphertext, tag;
/// base64) under the 32-byte key scrypt derives from the passphrase, with `followup-key-file/1 ORG`
/// as associated data, over the JSON list of the keys (`private_key` base64, `created_at`).
struct KeyFile: Codable {
    static let format = "followup-key-file/1"
    /// scrypt's cost: 2^15 rounds of 8 blocks, about 32 MiB and a tenth of a second.
    static let defaultRounds = 1 << 15

    struct Entry: Codable {
        var privateKey: String
        var createdAt: Int64

        enum CodingKeys: String, CodingKey {
            case privateKey = "private_key"
            case createdAt = "created_at"
        }
    }

    var format: String
    var org: String
    var n: Int
    var r: Int
    var p: Int
    var salt: String
    var box: String

    static func key(passphrase: String, salt: Data, n: Int, r: Int, p: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Data(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
    }
}

extension Replica {
    /// This replica's private keys sealed under `passphrase`, as a key file's bytes.
    ///
    /// Fails with `no_private_key` when the replica holds none.
    public func exportKeys(passphrase: String) throws -> Data {
        let settings = try settings()
        let entries = try read { db in
            try Row.fetchAll(db, sql: "SELECT private_key, created_at FROM private_key ORDER BY created_at, rowid")
                .map { KeyFile.Entry(privateKey: $0[0], createdAt: $0[1]) }
        }
        guard !entries.isEmpty else {
            throw ReplicaError(.noPrivateKey, "this replica holds no private key of \(settings.org)")
        }
        var salt = Data(count: 16)
        salt.withUnsafeMutableBytes { bytes in
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        let (n, r, p) = (KeyFile.defaultRounds, 8, 1)
        let key = try KeyFile.key(passphrase: passphrase, salt: salt, n: n, r: r, p: p)
        let box = try ChaChaPoly.seal(
            try JSONEncoder().encode(entries), using: key,
            authenticating: Data("\(KeyFile.format) \(settings.org)".utf8))
        let file = KeyFile(
            format: KeyFile.format, org: settings.org, n: n, r: r, p: p, salt: salt.base64EncodedString(),
            box: box.combined.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(file)
    }

    /// Adds the private keys of a key file of the replica's organisation, opened with
    /// `passphrase`; the texts sealed to them open on this replica from now on.
    ///
    /// - Returns: the keys added (those already here are not counted).
    @discardableResult
    public func importKeys(_ data: Data, passphrase: String) throws -> Int {
        let settings = try settings()
        guard let file = try? JSONDecoder().decode(KeyFile.self, from: data), file.format == KeyFile.format,
            let salt = Data(base64Encoded: file.salt), let combined = Data(base64Encoded: file.box),
            file.n > 1, file.n <= 1 << 20, file.r > 0, file.r <= 32, file.p > 0, file.p <= 16
        else {
            throw ReplicaError(.invalidFile, "this is not a followup key file")
        }
        guard file.org == settings.org else {
            throw ReplicaError(
                .wrongOrganisation,
                "the key file holds keys of \(file.org), not of \(settings.org); nothing was imported")
        }
        let key = try KeyFile.key(passphrase: passphrase, salt: salt, n: file.n, r: file.r, p: file.p)
        guard let box = try? ChaChaPoly.SealedBox(combined: combined),
            let plain = try? ChaChaPoly.open(
                box, using: key, authenticating: Data("\(KeyFile.format) \(file.org)".utf8)),
            let entries = try? JSONDecoder().decode([KeyFile.Entry].self, from: plain)
        else {
            throw ReplicaError(
                .wrongPassphrase, "the key file does not open with this passphrase; nothing was imported")
        }
        return try writer.write { db in
            var added = 0
            for entry in entries {
                guard let bytes = Data(base64Encoded: entry.privateKey),
                    let privateKey = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
                else { continue }
                let before = db.totalChangesCount
                _ = try Self.storePrivateKey(privateKey, createdAt: entry.createdAt, db)
                if db.totalChangesCount > before { added += 1 }
            }
            // The organisation's current key, when its private half just arrived, is trusted here.
            try Self.pinNewKeys(db)
            return added
        }
    }
}
