import Foundation
import Shared

/// How a replica reaches the server: push and pull of protocol v1, and the evidence files.
///
/// `HTTPSyncTransport` speaks HTTP; tests plug the server's storage in directly.
public protocol SyncTransport: Sendable {
    /// Sends operations; answers one verdict per operation.
    func push(_ request: PushRequest) async throws -> PushResponse
    /// Fetches the next page of this replica's change feed after the cursor.
    func pull(_ request: PullRequest) async throws -> PullResponse
    /// Sends operations already encoded as the wire's JSON objects, as the outbox keeps them.
    func push(encodedOperations: [String], org: String?) async throws -> PushResponse
    /// How many bytes of file `hash` the server holds for this replica's organisation
    /// (`HEAD /v1/files/{sha256}`).
    func fileOffset(_ hash: String) async throws -> FileUploadResponse
    /// Appends `bytes` at `offset` to the upload of file `hash`, `length` bytes in all
    /// (`PATCH /v1/files/{sha256}`).
    func uploadFile(_ hash: String, bytes: Data, offset: Int64, length: Int64) async throws -> FileUploadResponse
    /// At most `count` bytes of file `hash` from `first`, and the file's size
    /// (`GET /v1/files/{sha256}` with a `Range`).
    func downloadFile(_ hash: String, from first: Int64, count: Int64) async throws -> (bytes: Data, size: Int64)
}

extension SyncTransport {
    /// Decodes the operations and sends them with `push(_:)`.
    public func push(encodedOperations: [String], org: String?) async throws -> PushResponse {
        let decoder = WireCoding.decoder()
        return try await push(
            PushRequest(
                ops: encodedOperations.map { try decoder.decode(SyncOperation.self, from: Data($0.utf8)) }, org: org))
    }
}

/// An error answer from the server, or a failure to reach it.
public struct TransportError: CodedError, Sendable, Equatable, CustomStringConvertible {
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
