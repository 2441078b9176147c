import Client
import Foundation
import GRDB
import Hummingbird
import NIOCore
import RowStorage
import Server
import Shared

/// A sync transport that calls the server's `SyncService` directly, as the HTTP routes do.
public struct InProcessTransport: SyncTransport {
    /// The server's sync logic.
    public let service: SyncService
    /// The session every call runs as.
    public let session: Session

    /// Creates a transport calling `service` as `session`.
    public init(service: SyncService, session: Session) {
        self.service = service
        self.session = session
    }

    public func push(_ request: PushRequest) async throws -> PushResponse {
        try await service.push(request, session: session)
    }

    public func pull(_ request: PullRequest) async throws -> PullResponse {
        try await service.pull(request, session: session)
    }

    public func fileOffset(_ hash: String) async throws -> FileUploadResponse {
        try await service.evidence.offset(of: hash, session: session)
    }

    public func uploadFile(_ hash: String, bytes: Data, offset: Int64, length: Int64) async throws
        -> FileUploadResponse
    {
        try await service.evidence.upload(
            RequestBody(buffer: ByteBuffer(bytes: bytes)), to: hash, offset: offset, length: length, session: session)
    }

    public func downloadFile(_ hash: String, from first: Int64, count: Int64) async throws -> (
        bytes: Data, size: Int64
    ) {
        try await service.evidence.download(hash, first: first, last: first + max(count, 1) - 1, session: session)
    }
}

/// A server without HTTP: in-memory storage, a manual clock, and replicas registered on it.
public struct InProcessServer {
    /// The server's storage (in memory).
    public let storage: SQLiteServerStorage
    /// The server's clock.
    public let clock: ManualWallClock
    /// The sync logic the replicas call (a test may change its page budget before adding replicas).
    public var service: SyncService

    /// Creates the server with a secretariat (`nmirf`) and a ministry (`moj`).
    public init(now: Int64 = 1_800_000_000_000, maxClockSkewMillis: Int64 = 60_000) async throws {
        clock = ManualWallClock(millis: now)
        storage = try SQLiteServerStorage(
            writer: try MigratedTemplates.copy(MigratedTemplates.server), policy: .standard, clock: clock,
            signer: MigratedTemplates.signer)
        service = SyncService(
            storage: storage, policy: .standard, clock: clock, maxClockSkewMillis: maxClockSkewMillis,
            evidence: EvidenceService(
                files: try DirectoryEvidenceStore(root: try temporaryDirectory("in-process-files")), storage: storage))
        try await storage.addOrganisation(id: "nmirf", name: "Secretariat", kind: .secretariat)
        try await storage.addOrganisation(id: "moj", name: "Ministry of Justice", kind: .ministry)
    }

    /// Adds a user and a device, and returns an in-memory replica signed in as that device.
    public func replica(user: String, org: String, clock replicaClock: any WallClock) async throws -> (
        Replica, SyncEngine
    ) {
        try await storage.addUser(name: user, org: org, passwordHash: "unused")
        let session = try await storage.openSession(
            user: user, replica: nil, deviceName: "test", tokenHash: "token-\(user)", now: clock.nowMillis())
        let replica = try Replica(writer: try MigratedTemplates.copy(MigratedTemplates.replica), clock: replicaClock)
        try replica.initialise(
            serverURL: "in-process",
            login: LoginResponse(
                token: "token-\(user)", user: user, org: org, orgKind: session.orgKind.rawValue,
                replica: session.replica, serverTime: clock.nowMillis()))
        return (
            replica, SyncEngine(replica: replica, transport: InProcessTransport(service: service, session: session))
        )
    }
}

extension InProcessServer {
    /// Adds a user and a device, and returns a replica in `directory` (as `followup init` makes it),
    /// already synced once.
    public func replicaOnDisk(user: String, org: String, directory: String) async throws -> (Replica, SyncEngine) {
        try await storage.addUser(name: user, org: org, passwordHash: "unused")
        let session = try await storage.openSession(
            user: user, replica: nil, deviceName: "test", tokenHash: "token-\(user)", now: clock.nowMillis())
        let replica = try Replica.create(
            directory: directory, serverURL: "in-process",
            login: LoginResponse(
                token: "token-\(user)", user: user, org: org, orgKind: session.orgKind.rawValue,
                replica: session.replica, serverTime: clock.nowMillis()))
        let engine = SyncEngine(replica: replica, transport: InProcessTransport(service: service, session: session))
        _ = try await engine.sync()
        return (replica, engine)
    }
}

/// A fresh temporary directory.
public func temporaryDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("followup-tests-\(name)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Empty, fully migrated databases, copied for each in-memory server and replica so that the
/// property tests do not run every migration hundreds of times.
public enum MigratedTemplates {
    /// The key that signs the audit log's heads of the template and its copies.
    public static let signer = TreeHeadSigner()

    /// An empty, migrated server database.
    public static let server: DatabaseQueue = {
        let queue = try! DatabaseQueue()
        _ = try! SQLiteServerStorage(writer: queue, policy: .standard, clock: SystemWallClock(), signer: signer)
        return queue
    }()

    /// An empty, migrated replica database.
    public static let replica: DatabaseQueue = {
        let queue = try! DatabaseQueue()
        _ = try! Replica(writer: queue)
        return queue
    }()

    /// A new in-memory database holding a copy of `template`.
    public static func copy(_ template: DatabaseQueue) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try template.backup(to: queue)
        return queue
    }
}
