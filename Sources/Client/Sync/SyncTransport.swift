import Foundation
import Shared

/// How a replica reaches the server: push and pull of protocol v1.
///
/// `HTTPSyncTransport` speaks HTTP; tests plug the server's storage in directly.
public protocol SyncTransport: Sendable {
    /// Sends operations; answers one verdict per operation.
    func push(_ request: PushRequest) async throws -> PushResponse
    /// Fetches the next page of this replica's change feed after the cursor.
    func pull(_ request: PullRequest) async throws -> PullResponse
    /// Sends operations already encoded as the wire's JSON objects, as the outbox keeps them.
    func push(encodedOperations: [String]) async throws -> PushResponse
}

extension SyncTransport {
    /// Decodes the operations and sends them with `push(_:)`.
    public func push(encodedOperations: [String]) async throws -> PushResponse {
        let decoder = WireCoding.decoder()
        return try await push(
            PushRequest(ops: encodedOperations.map { try decoder.decode(SyncOperation.self, from: Data($0.utf8)) }))
    }
}

/// An error answer from the server, or a failure to reach it.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server's stable code, `.unreachable` when no answer came, or `.http(status:)` without an error body.
    public var code: ErrorCode
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(code: ErrorCode, status: Int?, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
