import Crypto
import Foundation

/// An organisation's public key for sealed texts, as an `organisation_key` row holds it: an
/// X25519 key, 32 bytes in standard base64 (44 characters).
public struct OrganisationPublicKey: Sendable, Hashable {
    /// The key's 32 bytes.
    public let bytes: Data

    /// Reads a key from its base64 text; nil when it is not 32 bytes of standard base64.
    public init?(base64 text: String) {
        guard let bytes = Data(base64Encoded: text), bytes.count == 32,
            (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)) != nil
        else { return nil }
        self.bytes = bytes
    }

    /// Wraps a key.
    public init(_ key: Curve25519.KeyAgreement.PublicKey) {
        self.bytes = key.rawRepresentation
    }

    /// The key.
    public var key: Curve25519.KeyAgreement.PublicKey {
        // The bytes were checked when the value was made.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
    }

    /// The key's base64 text, as the row stores it.
    public var base64: String { bytes.base64EncodedString() }

    /// The fingerprint: the SHA-256 of the 32 key bytes in lower-case hex (64 digits).
    public var fingerprint: String { ContentHash.of(bytes) }

    /// The fingerprint as people compare it out of band: its first 32 hex digits in eight groups
    /// of four (`3f2a 9c01 …`).
    public var displayFingerprint: String { Self.display(fingerprint) }

    /// A fingerprint's first 32 hex digits in eight groups of four.
    public static func display(_ fingerprint: String) -> String {
        let digits = Array(fingerprint.prefix(32))
        return stride(from: 0, to: digits.count, by: 4).map { String(digits[$0..<min($0 + 4, digits.count)]) }
            .joined(separator: " ")
    }
}

extension OrganisationKind {
    /// Whether an organisation of this kind has a key pair for sealed texts: the NHRI (which
    /// reads confidential submissions) and those who file them (NGOs, the UN country team), so
    /// that an author re-reads what it sealed.
    public var holdsSealingKey: Bool {
        self == .nhri || self == .ngo || self == .unCountryTeam
    }
}
