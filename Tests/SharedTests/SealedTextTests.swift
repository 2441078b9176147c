import Crypto
import Foundation
import Shared
import Testing

/// The sealed-text envelope (protocol §19): the golden vector, written by an independent
/// implementation, opens here; and what this implementation seals opens only with its recipients' keys.
@Suite("Sealed texts")
struct SealedTextTests {
    struct Vector: Decodable {
        struct Key: Decodable {
            var privateKey: String
            var publicKey: String
            var fingerprint: String

            enum CodingKeys: String, CodingKey {
                case privateKey = "private_key"
                case publicKey = "public_key"
                case fingerprint
            }
        }

        var keys: [String: Key]
        var table: String
        var row: String
        var column: String
        var binding: String
        var text: String
        var value: String
        var opensWith: [String]
        var doesNotOpenWith: [String]

        enum CodingKeys: String, CodingKey {
            case keys, table, row, column, binding, text, value
            case opensWith = "opens_with"
            case doesNotOpenWith = "does_not_open_with"
        }

        func privateKey(_ name: String) throws -> Curve25519.KeyAgreement.PrivateKey {
            let key = try #require(keys[name])
            let bytes = try #require(Data(base64Encoded: key.privateKey))
            return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
        }
    }

    static func vector() throws -> Vector {
        try JSONDecoder().decode(
            Vector.self, from: Data(contentsOf: GoldenVectors.directory.appendingPathComponent("sealed-text.json")))
    }

    @Test("the golden vector opens with each recipient's key, not another's, and not bound to another row")
    func goldenVector() throws {
        let vector = try Self.vector()
        let binding = SealedText.binding(table: vector.table, row: vector.row, column: vector.column)
        #expect(binding == Data(vector.binding.utf8))
        let sealed = try #require(SealedText(value: vector.value))
        #expect(sealed.value == vector.value)
        for (name, key) in vector.keys {
            let publicKey = try #require(OrganisationPublicKey(base64: key.publicKey))
            #expect(publicKey.fingerprint == key.fingerprint)
            #expect(OrganisationPublicKey(try vector.privateKey(name).publicKey) == publicKey)
        }
        #expect(sealed.fingerprints == vector.opensWith.map { vector.keys[$0]!.fingerprint })
        for name in vector.opensWith {
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: binding) == vector.text)
            let elsewhere = SealedText.binding(table: vector.table, row: UUIDv7.make(), column: vector.column)
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: elsewhere) == nil)
        }
        for name in vector.doesNotOpenWith {
            #expect(sealed.open(with: [try vector.privateKey(name)], binding: binding) == nil)
        }
    }

    @Test("an organisation_key row as pushed and pulled, and its fingerprint, are the golden vector's")
    func organisationKeyRow() throws {
        let file = try #require(try GoldenVectors.json("sealed-text.json") as? [String: Any])
        let vector = try #require(file["organisation_key"] as? [String: Any])
        let owner = try #require(vector["owner"] as? String)
        let key = OrganisationPublicKey(try Self.vector().privateKey(owner).publicKey)
        // Pushed: the row's key and the default algorithm, which this code fills in and accepts.
        let pushed = try #require(vector["push"])
        let push = try WireCoding.decoder().decode(SyncOperation.self, from: try GoldenVectors.data(pushed))
        let schema = try #require(Schema.current.table("organisation_key"))
        var bare = push
        bare.fields = ["public_key": .text(key.base64)]
        #expect(OperationRules.withDefaults(bare, table: schema) == push)
        #expect(try OperationRules.validate(push, schema: .current).get() == push)
        let encoded = try JSONSerialization.jsonObject(with: try WireCoding.encoder().encode(push))
        #expect(try GoldenVectors.data(encoded) == (try GoldenVectors.data(pushed)))
        // Pulled by another organisation: the server's columns added; the fingerprint is the key's.
        let pulled = try WireCoding.decoder().decode(
            RowChange.self, from: try GoldenVectors.data(try #require(vector["pulled"])))
        #expect(pulled.fields["owner_org"] == .text(try #require(vector["org"] as? String)))
        #expect(pulled.fields["created_by"] == .text(try #require(vector["user"] as? String)))
        guard case .text(let text) = pulled.fields["public_key"] else {
            Issue.record("the pulled row has no public_key text")
            return
        }
        let published = try #require(OrganisationPublicKey(base64: text))
        #expect(published == key)
        #expect(published.fingerprint == vector["fingerprint"] as? String)
        #expect(published.displayFingerprint == vector["display_fingerprint"] as? String)
        // Texts that are not keys: the row is refused with invalid_value.
        let notKeys = try #require(vector["not_keys"] as? [String: String])
        #expect(notKeys.count >= 5)
        for (reason, text) in notKeys {
            #expect(OrganisationPublicKey(base64: text) == nil, "\(reason)")
            var wrong = push
            wrong.fields["public_key"] = .text(text)
            guard case .failure(let rejection) = OperationRules.validate(wrong, schema: .current) else {
                Issue.record("\(reason): accepted")
                continue
            }
            #expect(rejection.code == .invalidValue, "\(reason)")
        }
    }

    @Test("a text sealed here opens with its recipients' keys only, and not once altered")
    func roundTrip() throws {
        let (nhri, ngo, other) = (
            Curve25519.KeyAgreement.PrivateKey(), Curve25519.KeyAgreement.PrivateKey(),
            Curve25519.KeyAgreement.PrivateKey()
        )
        let binding = SealedText.binding(table: "submission", row: UUIDv7.make(), column: "text")
        let text = "Defender D1 — followed on 3 May"
        let sealed = try SealedText.seal(
            text, to: [OrganisationPublicKey(nhri.publicKey), OrganisationPublicKey(ngo.publicKey)], binding: binding)
        #expect(SealedText.isSealed(sealed.value) && !sealed.value.contains("Defender"))
        #expect(SealedText(value: sealed.value) == sealed)
        #expect(sealed.open(with: [nhri], binding: binding) == text)
        #expect(sealed.open(with: [other, ngo], binding: binding) == text)
        #expect(sealed.open(with: [other], binding: binding) == nil)
        var altered = sealed
        var bytes = try #require(Data(base64Encoded: sealed.ciphertext))
        bytes[20] ^= 1
        altered.ciphertext = bytes.base64EncodedString()
        #expect(altered.open(with: [nhri], binding: binding) == nil)
        // Two seals of one text differ (fresh content key and HPKE ephemeral keys).
        let again = try SealedText.seal(text, to: [OrganisationPublicKey(nhri.publicKey)], binding: binding)
        #expect(again.ciphertext != sealed.ciphertext)
        #expect(SealedText(value: "followup-sealed/1 not json") == nil)
        #expect(OrganisationPublicKey(base64: "AAAA") == nil)
    }
}
