import Foundation
import GRDB
import RowStorage
import Shared

/// A local replica: one SQLite file holding the visible rows with their per-field versions,
/// the outbox of operations not yet accepted, refused operations, the cursor and the session.
///
/// The one database facade of a client process. Each method is one transaction: a local edit
/// writes the row change and its operation together, a pulled page and its cursor together.
public struct Replica: Sendable {
    /// The database file's name inside the replica directory.
    public static let fileName = "replica.sqlite"

    let writer: any DatabaseWriter
    let rows: RowStore
    let wallClock: any WallClock

    /// The directory the replica was opened in; nil for one opened on a database writer.
    public let directory: String?

    /// The tables this replica holds.
    public var schema: Schema { rows.schema }

    /// Opens the replica in `directory`; fails with `not_initialised` when there is none.
    public init(directory: String, clock: any WallClock = SystemWallClock()) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(
                .notInitialised,
                "there is no replica in \(directory); create one with: followup --replica \(directory) init --server URL --user NAME --password-stdin"
            )
        }
        // Replicas made before their files were private become private when next opened.
        try PrivateFiles.database(path)
        try self.init(
            writer: DatabasePool(path: path, configuration: Self.configuration()), clock: clock, directory: directory)
        _ = try settings()
    }

    /// Creates a new replica in `directory` for a fresh sign-in.
    public static func create(
        directory: String, serverURL: String, login: LoginResponse, clock: any WallClock = SystemWallClock()
    ) throws -> Replica {
        try PrivateFiles.directory(directory)
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(
                .alreadyInitialised, "\(directory) already holds a replica; use 'followup login' to sign in again")
        }
        try PrivateFiles.database(path)
        let replica = try Replica(
            writer: DatabasePool(path: path, configuration: configuration()), clock: clock, directory: directory)
        try replica.initialise(serverURL: serverURL, login: login)
        return replica
    }

    /// Uses an existing database writer (an in-memory queue in tests); runs the migrations.
    public init(writer: any DatabaseWriter, clock: any WallClock = SystemWallClock()) throws {
        try self.init(writer: writer, clock: clock, directory: nil)
    }

    /// Opens `writer`, running the migrations; `directory` is where its file lies, if known.
    init(writer: any DatabaseWriter, clock: any WallClock, directory: String?) throws {
        self.writer = writer
        self.directory = directory
        self.rows = RowStore(schema: .current)
        self.wallClock = clock
        let upgradingToScopedFeed = try writer.read { db in
            try db.tableExists("replica_settings") && !Self.migrator.appliedIdentifiers(db).contains("v3")
        }
        try Self.migrator.migrate(writer)
        if upgradingToScopedFeed {
            // Rows of other organisations' scopes, pulled before v3, may sit in free pages written
            // without secure_delete: rewrite the file and empty the write-ahead log.
            try writer.vacuum()
            checkpointAfterRemoval()
        }
    }

    /// Stores the identity of a fresh sign-in in a new, empty replica.
    public func initialise(serverURL: String, login: LoginResponse) throws {
        let offset = 0 as Int64
        try writer.write { db in
            try ReplicaSettings(
                replicaID: login.replica, serverURL: serverURL, userName: login.user, org: login.org,
                orgKind: login.orgKind, token: login.token, cursor: 0,
                hlcLast: HLCTimestamp(physical: 0).description, maxKnownHLC: HLCTimestamp(physical: 0).description,
                clockOffsetMillis: offset, lastSyncAt: nil
            ).insert(db)
            try Self.createKeyIfHolder(kind: login.orgKind, now: wallClock.nowMillis(), db)
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A purged row must not linger in free pages of the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// Runs `body` with read access to the replica's database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }
}
