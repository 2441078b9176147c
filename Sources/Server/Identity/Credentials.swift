import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Shared

/// Password hashing (bcrypt, salted and slow) and bearer tokens (random, stored as SHA-256).
public struct Credentials: Sendable {
    /// The bcrypt cost; 12 in production, lower in tests to keep them quick.
    public var bcryptCost: UInt8

    /// Creates the credential rules.
    public init(bcryptCost: UInt8 = 12) {
        self.bcryptCost = bcryptCost
    }

    /// The fewest characters a password changed through the API may have.
    public static let minimumPasswordLength = 8

    /// The mark of a hash made from the password's SHA-256 rather than from the password itself.
    ///
    /// bcrypt reads only the first 72 bytes of its input; the SHA-256 (base64, 44 bytes) makes
    /// every byte of a long password count. Hashes without the mark (made before it existed)
    /// are checked as they were made.
    static let digestMark = "sha256$"

    /// A salted bcrypt hash of the SHA-256 of `password`, marked (computed off the event loops).
    public func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        let input = Self.digest(password)
        return try await NIOThreadPool.singleton.runIfActive { Self.digestMark + Bcrypt.hash(input, cost: cost) }
    }

    /// Whether `password` matches `hash` (computed off the event loops).
    public func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        if hash.hasPrefix(Self.digestMark) {
            let (input, bcrypt) = (Self.digest(password), String(hash.dropFirst(Self.digestMark.count)))
            return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: bcrypt) }
        }
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    private static func digest(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// A new opaque bearer token: 32 random bytes, base64url without padding.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The hex SHA-256 of a token: what the server stores instead of the token.
    public static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
