import Foundation
import GRDB
import RowStorage
import Shared

/// The machine's limit: the same operations appended to a SQLite op log and upserted as
/// per-field state with prepared statements, in batches, in WAL mode with full sync (the
/// server's durability), and nothing else: no HTTP, no JSON, no validation, no policy.
enum SQLiteLimit {
    /// Writes `rows` operations in batches of `batch`; answers operations per second.
    static func run(rows: [RecommendationRow], batch: Int, directory: String) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: directory + "/limit.sqlite", configuration: configuration)
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE op_log (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, table_name TEXT NOT NULL,
                      row_id TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, hlc TEXT NOT NULL,
                      replica_id TEXT NOT NULL, author TEXT NOT NULL, org_id TEXT NOT NULL, received_at INTEGER NOT NULL);
                    CREATE TABLE recommendation (
                      id TEXT PRIMARY KEY NOT NULL, text TEXT, text__v TEXT, document_symbol TEXT,
                      document_symbol__v TEXT, paragraph TEXT, paragraph__v TEXT, session INTEGER, session__v TEXT,
                      position TEXT, position__v TEXT);
                    """)
        }
        let replica = UUIDv7.make()
        var clock = HybridLogicalClock()
        // Encoded before the clock starts: the limit measures storage, not JSON.
        let encoded = rows.map(\.json)
        let start = DispatchTime.now()
        for chunk in stride(from: 0, to: rows.count, by: batch) {
            let slice = rows[chunk..<min(chunk + batch, rows.count)]
            try pool.write { db in
                let log = try db.cachedStatement(
                    sql: """
                        INSERT INTO op_log (op_id, table_name, row_id, kind, fields, hlc, replica_id, author, org_id, received_at)
                        VALUES (?, 'recommendation', ?, 'upsert', ?, ?, ?, 'bench', 'nmirf', ?)
                        """)
                let upsert = try db.cachedStatement(
                    sql: """
                        INSERT INTO recommendation (id, text, text__v, document_symbol, document_symbol__v, paragraph,
                          paragraph__v, session, session__v, position, position__v)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET text = excluded.text, text__v = excluded.text__v,
                          document_symbol = excluded.document_symbol, document_symbol__v = excluded.document_symbol__v,
                          paragraph = excluded.paragraph, paragraph__v = excluded.paragraph__v,
                          session = excluded.session, session__v = excluded.session__v,
                          position = excluded.position, position__v = excluded.position__v
                        """)
                for (row, json) in zip(slice, encoded[slice.indices]) {
                    let hlc = clock.tick(now: SystemWallClock().nowMillis())
                    let version = "\(hlc)@\(replica)"
                    try log.execute(arguments: [
                        UUIDv7.make(millis: hlc.physical), row.id, json, hlc.description, replica, hlc.physical,
                    ])
                    try upsert.execute(arguments: [
                        row.id, row.text, version, row.documentSymbol, version, row.paragraph, version, row.session,
                        version, row.position, version,
                    ])
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return Double(rows.count) / seconds
    }
}
