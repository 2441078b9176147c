import Crypto
import Foundation

/// A text sealed on its author's replica so that only its recipients' private keys open it:
/// the value a confidential submission's `text` holds on the server (protocol §19).
///
/// The text is encrypted once with a fresh 32-byte content key (ChaCha20-Poly1305), and the
/// content key is sealed to each recipient with HPKE (RFC 9180, base mode,
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). Both use the row's binding
/// (`submission/<row id>/text`) as associated data, so a sealed text moved to another row or
/// column does not open.
public struct SealedText: Sendable, Hashable, Codable {
    /// What every sealed value starts with; the JSON object follows it.
    public static let prefix = "followup-sealed/1 "
    /// The HPKE `info` of every content-key seal.
    public static let info = Data("followup sealed text v1".utf8)
    /// The suite, named in the envelope.
    public static let suiteName = "x25519-hkdf-sha256-chacha20poly1305"
    static var ciphersuite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }

    /// One recipient's copy of the content key.
    public struct Recipient: Sendable, Hashable, Codable {
        /// The fingerprint of the recipient's public key (`OrganisationPublicKey.fingerprint`).
        public var fingerprint: String
        /// HPKE's encapsulated key, base64.
        public var enc: String
        /// The content key sealed by HPKE, base64 (32 bytes and a 16-byte tag).
        public var key: String
    }

    /// The suite (`suiteName`).
    public var suite: String
    /// The recipients, in the order the sealer gave them.
    public var recipients: [Recipient]
    /// The text sealed with the content key: nonce (12 bytes), ciphertext, tag (16 bytes), base64.
    public var ciphertext: String

    /// The binding of `column` of row `row` of `table`: the associated data of its seals.
    public static func binding(table: String, row: String, column: String) -> Data {
        Data("\(table)/\(row)/\(column)".utf8)
    }

    /// Whether `value` is a sealed text (starts with the prefix).
    public static func isSealed(_ value: String) -> Bool {
        value.hasPrefix(prefix)
    }

    /// Creates an envelope from its parts.
    public init(suite: String, recipients: [Recipient], ciphertext: String) {
        self.suite = suite
        self.recipients = recipients
        self.ciphertext = ciphertext
    }

    /// Reads a sealed value; nil when it is not one.
    public init?(value: String) {
        guard Self.isSealed(value),
            let sealed = try? JSONDecoder().decode(Self.self, from: Data(value.dropFirst(Self.prefix.count).utf8))
        else { return nil }
        self = sealed
    }

    /// Seals `text` to `recipients` for the value bound to `binding`.
    public static func seal(
        _ text: String, to recipients: [OrganisationPublicKey], binding: Data
    ) throws -> SealedText {
        let contentKey = SymmetricKey(size: .bits256)
        let box = try ChaChaPoly.seal(Data(text.utf8), using: contentKey, authenticating: binding)
        let copies = try sealContentKey(contentKey, to: recipients, binding: binding, info: info)
        return SealedText(suite: suiteName, recipients: copies, ciphertext: box.combined.base64EncodedString())
    }

    /// The value a column stores: the prefix and the JSON object (sorted keys).
    public var value: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and arrays of strings cannot fail.
        let json = (try? encoder.encode(self)) ?? Data()
        return Self.prefix + String(decoding: json, as: UTF8.self)
    }

    /// The fingerprints of the keys that open it.
    public var fingerprints: [String] { recipients.map(\.fingerprint) }

    /// Opens the text with whichever of `keys` it was sealed to; nil when none opens it.
    public func open(with keys: [Curve25519.KeyAgreement.PrivateKey], binding: Data) -> String? {
        guard suite == Self.suiteName, let box = Data(base64Encoded: ciphertext),
            let sealedBox = try? ChaChaPoly.SealedBox(combined: box)
        else { return nil }
        for contentKey in Self.contentKeys(recipients, with: keys, binding: binding, info: Self.info) {
            guard let text = try? ChaChaPoly.open(sealedBox, using: contentKey, authenticating: binding) else {
                continue
            }
            return String(data: text, encoding: .utf8)
        }
        return nil
    }
}

extension SealedText {
    /// `contentKey` sealed by HPKE to each of `recipients`, bound to `binding`, under `info`:
    /// the recipients' entries of a sealed text or file.
    static func sealContentKey(
        _ contentKey: SymmetricKey, to recipients: [OrganisationPublicKey], binding: Data, info: Data
    ) throws -> [Recipient] {
        let keyBytes = contentKey.withUnsafeBytes { Data($0) }
        var copies: [Recipient] = []
        for recipient in recipients {
            var sender = try HPKE.Sender(recipientKey: recipient.key, ciphersuite: ciphersuite, info: info)
            let sealedKey = try sender.seal(keyBytes, authenticating: binding)
            copies.append(
                Recipient(
                    fingerprint: recipient.fingerprint, enc: sender.encapsulatedKey.base64EncodedString(),
                    key: sealedKey.base64EncodedString()))
        }
        return copies
    }

    /// The content keys the entries of `recipients` that one of `keys` opens hold, in the order
    /// of `keys`: those a sealed text or file is then tried with.
    static func contentKeys(
        _ recipients: [Recipient], with keys: [Curve25519.KeyAgreement.PrivateKey], binding: Data, info: Data
    ) -> [SymmetricKey] {
        var found: [SymmetricKey] = []
        for key in keys {
            let fingerprint = OrganisationPublicKey(key.publicKey).fingerprint
            for recipient in recipients where recipient.fingerprint == fingerprint {
                guard let enc = Data(base64Encoded: recipient.enc), let sealedKey = Data(base64Encoded: recipient.key),
                    var opener = try? HPKE.Recipient(
                        privateKey: key, ciphersuite: ciphersuite, info: info, encapsulatedKey: enc),
                    let keyBytes = try? opener.open(sealedKey, authenticating: binding), keyBytes.count == 32
                else { continue }
                found.append(SymmetricKey(data: keyBytes))
            }
        }
        return found
    }

    /// Why the server refuses `operation` (on `table`, whose row is `existing`) for carrying a
    /// confidential text in clear, or nil when it does not.
    ///
    /// An upsert of a `submission` that is confidential once applied may write `text` only
    /// sealed, and one that makes a row confidential must carry the row's text sealed unless it
    /// is sealed already (§19). The server cannot open a seal; it checks only the form, so a
    /// client that does not seal (one built before schema 5, still signed in) is refused
    /// instead of leaving the text in the server's files.
    public static func clearTextRejection(
        _ operation: SyncOperation, table: TableSchema, existing: RowState?
    ) -> Rejection? {
        guard table.name == "submission", operation.kind == .upsert else { return nil }
        let current = existing?.values ?? [:]
        guard (operation.fields["confidential"] ?? current["confidential"]) == .bool(true) else { return nil }
        let text: FieldValue?
        if let written = operation.fields["text"] {
            text = written
        } else if operation.fields["confidential"] == .bool(true), current["confidential"] != .bool(true) {
            text = current["text"]
        } else {
            return nil
        }
        guard case .text(let value) = text, !isSealed(value) else { return nil }
        return Rejection(
            .invalidValue,
            "a confidential submission's text must be sealed to the NHRI's key (protocol §19); update followup, which seals it before it is sent"
        )
    }
}
