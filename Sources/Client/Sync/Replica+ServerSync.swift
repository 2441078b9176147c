import Foundation
import Shared

/// What `Replica.syncWithServer` did.
public struct ServerSyncResult: Sendable, Equatable {
    /// What the push and the pull did.
    public var report: SyncReport
    /// Bytes sent at the HTTP level.
    public var bytesSent: Int
    /// Bytes received at the HTTP level.
    public var bytesReceived: Int
    /// The replica's organisation after the sync (another one when the account was moved).
    public var org: String
}

extension Replica {
    /// Pushes the pending edits to the replica's server, then pulls, over HTTP.
    ///
    /// What `followup sync` does. Fails with `unauthorized` when the replica is signed out. When
    /// the server no longer accepts the session (`unauthorized`) or the account was disabled
    /// (`account_disabled`), the token is forgotten, every row and pending edit is kept, and the
    /// error says how to sign in again.
    public func syncWithServer(
        pullPageSize: Int = 1_000, progress: @Sendable (SyncProgress) -> Void = { _ in }
    ) async throws -> ServerSyncResult {
        let settings = try settings()
        let directory = self.directory ?? "DIR"
        let transport = try serverTransport()
        var engine = SyncEngine(replica: self, transport: transport)
        engine.pullPageSize = pullPageSize
        let report: SyncReport
        do {
            report = try await engine.sync(progress: progress)
        } catch let error as TransportError where error.code == .accountDisabled {
            try setToken(nil)
            let pending = try status().pending
            throw ReplicaError(
                error.code,
                "the server has disabled the account \(settings.userName): \(error.message). The \(pending) pending edits stay on this replica; another account of \(settings.org) can sign in here to review them (followup --replica \(directory) login --user NAME --password-stdin)"
            )
        } catch let error as TransportError where error.code == .unauthorized {
            try setToken(nil)
            throw ReplicaError(
                error.code,
                "the server no longer accepts this replica's session (\(error.message)); your pending edits are kept. Sign in again with: followup --replica \(directory) login --password-stdin"
            )
        }
        return ServerSyncResult(
            report: report, bytesSent: transport.traffic.sent, bytesReceived: transport.traffic.received,
            org: try self.settings().org)
    }

    /// Writes attachment `id`'s file to `destination`, downloading it from the replica's
    /// server first when it is not on this replica yet, and opening it when it is sealed.
    public func writeAttachment(_ id: String, to destination: String) async throws {
        try await writeAttachment(id, to: destination, transport: { try serverTransport() })
    }

    /// Attachment `id`'s file, opened (`followup open`), downloading it from the replica's
    /// server first when it is not on this replica yet.
    public func openAttachment(_ id: String) async throws -> OpenedEvidence {
        try await openAttachment(id, transport: { try serverTransport() })
    }

    /// The HTTP transport to the replica's server with its session; `unauthorized` when signed out.
    func serverTransport() throws -> HTTPSyncTransport {
        let settings = try settings()
        guard let token = settings.token else {
            throw ReplicaError(
                .unauthorized,
                "this replica is signed out; run: followup --replica \(directory ?? "DIR") login --password-stdin")
        }
        return HTTPSyncTransport(baseURL: settings.serverURL, token: token)
    }
}
