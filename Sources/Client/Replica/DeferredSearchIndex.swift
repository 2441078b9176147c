import GRDB
import RowStorage

/// The new recommendations of one pulled page, indexed for full-text search together when the
/// page is done instead of one by one by the insert trigger (measured about ten times cheaper).
///
/// While it holds rows, the trigger is paused (`search_index_deferral`, in the page's own
/// transaction); any change to a recommendation the replica already holds first indexes the
/// held rows and resumes it, so the update and delete triggers always find the index complete.
struct DeferredSearchIndex {
    private var held: [String] = []

    /// Called before a change of row `row` of `table` is applied.
    mutating func prepare(table: String, row: String, isNew: Bool, _ db: Database) throws {
        guard table == "recommendation" else { return }
        guard isNew else { return try flush(db) }
        if held.isEmpty {
            try db.execute(sql: "UPDATE search_index_deferral SET paused = 1")
        }
        held.append(row)
    }

    /// Indexes the held rows and resumes the trigger.
    mutating func flush(_ db: Database) throws {
        guard !held.isEmpty else { return }
        for start in stride(from: 0, to: held.count, by: 500) {
            let chunk = held[start..<min(start + 500, held.count)]
            try db.execute(
                sql: """
                    INSERT INTO recommendation_fts(rowid, text)
                    SELECT rowid, text FROM recommendation WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments(chunk))
        }
        try db.execute(sql: "UPDATE search_index_deferral SET paused = 0")
        held = []
    }
}
