import Foundation
import GRDB
import RowStorage
import Shared

/// The embedded SQLite implementation of `ServerStorage` and `AccountStore` (WAL mode, one file
/// per deployment).
///
/// The one database facade of a server process: a `DatabasePool`, so pulls read while a push
/// writes, and admin commands in other processes see the same file. It holds SQL, not rules:
/// the policy and the clock are injected, and used only through the sync core.
public struct SQLiteServerStorage: ServerStorage, AccountStore {
    /// The database file's name inside the data directory.
    public static let fileName = "followup-server.sqlite"

    let writer: any DatabaseWriter
    let rows: RowStore
    /// Who sees and writes what, over the schema the rows follow.
    public let policy: AccessPolicy
    /// Stamps the rows the server writes itself and the accounts' creation times.
    let clock: any WallClock
    /// Signs the heads of the audit log.
    public let signer: TreeHeadSigner

    /// Opens (creating if needed) the storage in directory `dataDirectory`.
    public init(dataDirectory: String, policy: AccessPolicy, clock: any WallClock) throws {
        try PrivateFiles.directory(dataDirectory, closingExisting: true)
        let path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        try PrivateFiles.database(path)
        try self.init(
            writer: DatabasePool(path: path, configuration: Self.configuration()), policy: policy, clock: clock,
            signer: TreeHeadSigner(dataDirectory: dataDirectory))
    }

    /// Uses an existing database writer (an in-memory `DatabaseQueue` in tests); runs the
    /// migrations, files the feed of every row if it was never filed, and signs a head of the
    /// audit log if it grew unsigned.
    public init(
        writer: any DatabaseWriter, policy: AccessPolicy, clock: any WallClock,
        signer: TreeHeadSigner = TreeHeadSigner()
    ) throws {
        self.writer = writer
        self.rows = RowStore(schema: policy.schema)
        self.policy = policy
        self.clock = clock
        self.signer = signer
        try Self.migrator(clock: clock).migrate(writer)
        try fileEveryRow()
        try writer.write { db in try Self.signHeadIfGrown(db, signer: signer, now: clock.nowMillis()) }
    }

    /// The connection settings: foreign keys, a busy timeout, and full sync so that an
    /// acknowledged push survives a power cut as well as a crash.
    public static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreWriter) throws -> T) async throws -> T {
        let (rows, signer, clock) = (self.rows, self.signer, self.clock)
        return try await writer.write { db in
            let result = try body(SQLiteSyncStore(db: db, rows: rows))
            // One head per transaction that accepted operations, signed inside it.
            try Self.signHeadIfGrown(db, signer: signer, now: clock.nowMillis())
            return result
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SyncStoreReader) throws -> T) async throws -> T {
        let rows = self.rows
        return try await writer.read { db in try body(SQLiteSyncStore(db: db, rows: rows)) }
    }

    /// Files every live row under its audience, once, after migration `v3` created the feed.
    ///
    /// It runs again at the next start if the process died before that filing committed (the
    /// feed clock is still 0 then; the reference rows `v2` wrote make it move). Tombstones from
    /// before the feed have no audience any more and are not filed.
    private func fileEveryRow() throws {
        let planner = FeedPlanner(policy: policy)
        let rows = self.rows
        try writer.write { db in
            guard try Int64.fetchOne(db, sql: "SELECT last_seq FROM feed_clock") == 0 else { return }
            let store = SQLiteSyncStore(db: db, rows: rows)
            for table in rows.schema.tables {
                var ids: [String] = []
                try rows.forEachRow(table, db) { id, _ in ids.append(id) }
                for id in ids {
                    if let filing = try planner.filing(
                        table: table.name, id: id, state: nil, valuesChanged: true, facts: store)
                    {
                        try store.file(filing.filing, seq: try store.nextFeedSequence())
                    }
                }
            }
        }
    }
}
