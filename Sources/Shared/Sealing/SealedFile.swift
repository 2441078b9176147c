import Crypto
import Foundation

/// An evidence file sealed on its author's replica so that only its recipients' private keys
/// open it: the bytes an attachment of a confidential submission names (protocol §19).
///
/// The bytes are the magic line `followup-sealed-file/1`, a header line (a JSON object with
/// sorted keys: the suite and the recipients' HPKE-sealed copies of the content key, exactly as
/// in a sealed text but under the `info` `followup sealed file v1`), then the nonce (12 bytes),
/// the ChaCha20-Poly1305 ciphertext of the whole file and its tag (16 bytes). Every seal has
/// the attachment's binding (`attachment/<row id>/file`) as associated data, so a sealed file
/// named by another attachment does not open.
public struct SealedFile: Sendable, Hashable {
    /// What every sealed file starts with: the magic line, with its line feed.
    public static let magic = Data("followup-sealed-file/1\n".utf8)
    /// The HPKE `info` of every content-key seal of a file.
    public static let info = Data("followup sealed file v1".utf8)

    /// The header line's object.
    public struct Header: Sendable, Hashable, Codable {
        /// The suite (`SealedText.suiteName`).
        public var suite: String
        /// The recipients, in the order the sealer gave them.
        public var recipients: [SealedText.Recipient]
    }

    /// The suite and the recipients' copies of the content key.
    public var header: Header
    /// The nonce (12 bytes), the ciphertext and the tag (16 bytes).
    public var body: Data

    /// The binding of the file attachment `row` names: the associated data of its seals.
    public static func binding(attachment row: String) -> Data {
        SealedText.binding(table: "attachment", row: row, column: "file")
    }

    /// Whether `bytes` (a whole file, or its first bytes) start as a sealed file does.
    public static func isSealed(_ bytes: Data) -> Bool {
        bytes.starts(with: magic)
    }

    /// Reads a sealed file's bytes; nil when they are not one.
    public init?(bytes: Data) {
        guard Self.isSealed(bytes) else { return nil }
        let rest = bytes.dropFirst(Self.magic.count)
        guard let end = rest.firstIndex(of: UInt8(ascii: "\n")),
            let header = try? JSONDecoder().decode(Header.self, from: Data(rest[rest.startIndex..<end]))
        else { return nil }
        self.header = header
        self.body = Data(rest[(end + 1)...])
    }

    /// Seals `plaintext` to `recipients` for the attachment bound to `binding`.
    public static func seal(
        _ plaintext: Data, to recipients: [OrganisationPublicKey], binding: Data
    ) throws -> SealedFile {
        let contentKey = SymmetricKey(size: .bits256)
        let box = try ChaChaPoly.seal(plaintext, using: contentKey, authenticating: binding)
        let copies = try SealedText.sealContentKey(contentKey, to: recipients, binding: binding, info: info)
        return SealedFile(header: Header(suite: SealedText.suiteName, recipients: copies), body: box.combined)
    }

    /// Creates a sealed file from its parts.
    public init(header: Header, body: Data) {
        self.header = header
        self.body = body
    }

    /// The file's bytes: the magic line, the header line, the body.
    public var bytes: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and arrays of strings cannot fail.
        let json = (try? encoder.encode(header)) ?? Data()
        return Self.magic + json + Data([UInt8(ascii: "\n")]) + body
    }

    /// The fingerprints of the keys that open it.
    public var fingerprints: [String] { header.recipients.map(\.fingerprint) }

    /// Opens the file with whichever of `keys` it was sealed to; nil when none opens it.
    public func open(with keys: [Curve25519.KeyAgreement.PrivateKey], binding: Data) -> Data? {
        guard header.suite == SealedText.suiteName, let sealedBox = try? ChaChaPoly.SealedBox(combined: body) else {
            return nil
        }
        for contentKey in SealedText.contentKeys(header.recipients, with: keys, binding: binding, info: Self.info) {
            if let plaintext = try? ChaChaPoly.open(sealedBox, using: contentKey, authenticating: binding) {
                return plaintext
            }
        }
        return nil
    }
}
