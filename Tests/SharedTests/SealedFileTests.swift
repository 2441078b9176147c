import Crypto
import Foundation
import Shared
import Testing

/// The sealed-file format (protocol §19): the golden vector, written by an independent
/// implementation, opens here; and what this implementation seals opens only with its
/// recipients' keys, bound to its attachment.
@Suite("Sealed files")
struct SealedFileTests {
    struct Vector: Decodable {
        var keys: [String: SealedTextTests.Vector.Key]
        var row: String
        var binding: String
        var plaintext: String
        var sealed: String
        var contentHash: String
        var size: Int
        var opensWith: [String]
        var doesNotOpenWith: [String]

        enum CodingKeys: String, CodingKey {
            case keys, row, binding, size
            case plaintext = "plaintext_base64"
            case sealed = "sealed_base64"
            case contentHash = "content_hash"
            case opensWith = "opens_with"
            case doesNotOpenWith = "does_not_open_with"
        }

        func privateKey(_ name: String) throws -> Curve25519.KeyAgreement.PrivateKey {
            let key = try #require(keys[name])
            return try Curve25519.KeyAgreement.PrivateKey(
                rawRepresentation: try #require(Data(base64Encoded: key.privateKey)))
        }
    }

    @Test("the golden vector opens with each recipient's key, not another's, and not bound to another attachment")
    func goldenVector() throws {
        let vector = try JSONDecoder().decode(
            Vector.self, from: Data(contentsOf: GoldenVectors.directory.appendingPathComponent("sealed-file.json")))
        let binding = SealedFile.binding(attachment: vector.row)
        #expect(binding == Data(vector.binding.utf8))
        let bytes = try #require(Data(base64Encoded: vector.sealed))
        let plaintext = try #require(Data(base64Encoded: vector.plaintext))
        #expect(ContentHash.of(bytes) == vector.contentHash && bytes.count == vector.size)
        #expect(SealedFile.isSealed(bytes))
        let sealed = try #require(SealedFile(bytes: bytes))
        #expect(sealed.bytes == bytes)
        #expect(sealed.fingerprints == vector.opensWith.map { vector.keys[$0]!.fingerprint })
        for name in vector.opensWith {
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: binding) == plaintext)
            #expect(
                sealed.open(with: [try vector.privateKey(name)], binding: SealedFile.binding(attachment: UUIDv7.make()))
                    == nil)
            // A file's seal is not a text's: the same keys under the text's binding do not open it.
            let asText = SealedText.binding(table: "attachment", row: vector.row, column: "file_name")
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: asText) == nil)
        }
        for name in vector.doesNotOpenWith {
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: binding) == nil)
        }
    }

    @Test("a file sealed here opens with its recipients' keys only, hides its bytes, and fails once altered")
    func roundTrip() throws {
        let (nhri, ngo, other) = (
            Curve25519.KeyAgreement.PrivateKey(), Curve25519.KeyAgreement.PrivateKey(),
            Curve25519.KeyAgreement.PrivateKey()
        )
        let binding = SealedFile.binding(attachment: UUIDv7.make())
        let plaintext = Data("Witness statement of D1, 3 May".utf8) + Data((0..<4096).map { UInt8($0 % 251) })
        let sealed = try SealedFile.seal(
            plaintext, to: [OrganisationPublicKey(nhri.publicKey), OrganisationPublicKey(ngo.publicKey)],
            binding: binding)
        let bytes = sealed.bytes
        #expect(SealedFile.isSealed(bytes) && bytes.range(of: Data("Witness".utf8)) == nil)
        #expect(SealedFile(bytes: bytes) == sealed)
        #expect(SealedFile(bytes: bytes)?.open(with: [nhri], binding: binding) == plaintext)
        #expect(sealed.open(with: [other, ngo], binding: binding) == plaintext)
        #expect(sealed.open(with: [other], binding: binding) == nil)
        var altered = bytes
        altered[altered.count - 40] ^= 1
        #expect(SealedFile(bytes: altered)?.open(with: [nhri], binding: binding) == nil)
        #expect(SealedFile(bytes: Data("followup-sealed-file/1\nnot json\n".utf8)) == nil)
        #expect(SealedFile(bytes: plaintext) == nil)
        // An empty file seals and opens too.
        #expect(
            try SealedFile.seal(Data(), to: [OrganisationPublicKey(ngo.publicKey)], binding: binding)
                .open(with: [ngo], binding: binding) == Data())
    }
}
