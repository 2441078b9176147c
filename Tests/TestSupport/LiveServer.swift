import ArgumentParser
import Client
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Server
import Shared
import Testing

/// A real server over HTTP on a free loopback port, on a temporary data directory, with the
/// organisations and users a test needs (each user's password is `<user>-pass`).
///
/// The one place tests start an in-process HTTP server. Its logs are written at `warning`
/// unless `LOG_LEVEL` says otherwise, so a failure is not buried under request lines.
public struct LiveServer: Sendable {
    /// One organisation with one user.
    public struct Member: Sendable {
        /// The organisation's id.
        public var org: String
        /// The organisation's kind.
        public var kind: OrganisationKind
        /// The user's name.
        public var user: String

        /// Creates a member.
        public init(org: String, kind: OrganisationKind, user: String) {
            self.org = org
            self.kind = kind
            self.user = user
        }
    }

    /// A secretariat (`nmirf`, user `sara`) and a ministry (`moj`, user `malik`).
    public static let secretariatAndMinistry = [
        Member(org: "nmirf", kind: .secretariat, user: "sara"), Member(org: "moj", kind: .ministry, user: "malik"),
    ]

    /// The server's storage, for direct checks.
    public let storage: SQLiteServerStorage
    /// The server's evidence files (`<data>/server/files`), for direct checks.
    public let files: DirectoryEvidenceStore
    /// The temporary directory holding the server's data (`server/`) and the tests' replicas.
    public let data: String
    /// The server's address, `http://127.0.0.1:PORT`.
    public let url: String

    /// Signs `user` in from a new replica in `<data>/<user>` (as `followup init` does).
    public func enrol(_ user: String) async throws -> Replica {
        try await Replica.enrol(directory: data + "/" + user, serverURL: url, user: user, password: "\(user)-pass")
    }

    /// The log level of in-process servers: `LOG_LEVEL`, else `warning`.
    public static var logLevel: Logger.Level { ServerConfiguration.logLevel(fromEnvironment: .warning) }

    /// Creates the storage and accounts without serving them yet.
    ///
    /// - Returns: the storage and the temporary directory.
    public static func prepare(_ name: String, members: [Member]) async throws -> (SQLiteServerStorage, String) {
        let data = try temporaryDirectory(name)
        let storage = try SQLiteServerStorage(
            dataDirectory: data + "/server", policy: .standard, clock: SystemWallClock())
        let credentials = Credentials(bcryptCost: 4)
        for member in members {
            try await storage.addOrganisation(id: member.org, name: member.org.uppercased(), kind: member.kind)
            try await storage.addUser(
                name: member.user, org: member.org,
                passwordHash: try await credentials.hashPassword("\(member.user)-pass"))
        }
        return (storage, data)
    }

    /// Serves a new server with `members` while `body` runs, then stops it.
    public static func run<T: Sendable>(
        _ name: String, members: [Member], maxFileBytes: Int64 = ContentHash.defaultMaxFileBytes,
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let (storage, data) = try await prepare(name, members: members)
        return try await serve(storage, data: data, maxFileBytes: maxFileBytes, body)
    }

    /// Serves `storage` (and the evidence files in `<data>/server/files`) over HTTP while `body`
    /// runs, then stops it.
    public static func serve<T: Sendable>(
        _ storage: SQLiteServerStorage, data: String, maxFileBytes: Int64 = ContentHash.defaultMaxFileBytes,
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let files = try DirectoryEvidenceStore(root: data + "/server/files")
        let app = buildApplication(
            ServerConfiguration(port: 0, logLevel: logLevel, maxFileBytes: maxFileBytes), storage: storage,
            files: files, credentials: Credentials(bcryptCost: 4))
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body(
                LiveServer(storage: storage, files: files, data: data, url: "http://127.0.0.1:\(port)"))
        }
    }
}

/// Runs a `followup` command line in-process, exactly as the executable parses and runs it.
public func followup(_ arguments: [String]) async throws {
    var command = try FollowupCommand.parseAsRoot(arguments)
    guard var asyncCommand = command as? any AsyncParsableCommand else {
        try command.run()
        return
    }
    try await asyncCommand.run()
}
