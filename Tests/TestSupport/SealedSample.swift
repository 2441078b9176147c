import Foundation
import Shared

extension SealedText {
    /// `text` sealed to a throw-away key, for tests that push a confidential submission by hand:
    /// the server checks only that such a text is sealed (protocol §19).
    public static func sample(_ text: String) -> String {
        let bytes = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let key = OrganisationPublicKey(base64: bytes.base64EncodedString())!
        return try! seal(text, to: [key], binding: Data("test".utf8)).value
    }
}

extension SealedFile {
    /// `bytes` sealed to a throw-away key, for tests that attach a file to a confidential
    /// submission by hand: the server checks only that such a file is sealed (protocol §19).
    public static func sample(_ bytes: Data) -> Data {
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        return try! seal(
            bytes, to: [OrganisationPublicKey(base64: key.base64EncodedString())!], binding: Data("test".utf8)
        )
        .bytes
    }
}
