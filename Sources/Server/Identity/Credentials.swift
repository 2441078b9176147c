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

    /// A salted bcrypt hash of `password` (computed off the event loops).
    public func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash` (computed off the event loops).
    public func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
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
