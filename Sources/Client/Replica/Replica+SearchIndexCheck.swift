import GRDB
import RowStorage

extension Replica {
    /// How many index entries (term, row, position) differ between the full-text index of
    /// recommendations and one built afresh from their text; 0 when the index is exact.
    ///
    /// Builds the fresh index in temporary tables and drops them; nothing stored changes.
    func searchIndexMismatches() throws -> Int {
        try writer.write { db in
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE temp.search_check USING fts5(text, tokenize='porter unicode61 remove_diacritics 2');
                    INSERT INTO temp.search_check(rowid, text) SELECT rowid, text FROM main.recommendation;
                    CREATE VIRTUAL TABLE temp.search_kept USING fts5vocab(main, recommendation_fts, instance);
                    CREATE VIRTUAL TABLE temp.search_fresh USING fts5vocab(temp, search_check, instance);
                    """)
            let differences =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM (
                                  SELECT term, doc, offset FROM temp.search_kept
                                  EXCEPT SELECT term, doc, offset FROM temp.search_fresh))
                             + (SELECT count(*) FROM (
                                  SELECT term, doc, offset FROM temp.search_fresh
                                  EXCEPT SELECT term, doc, offset FROM temp.search_kept))
                        """) ?? 0
            try db.execute(
                sql: """
                    DROP TABLE temp.search_kept;
                    DROP TABLE temp.search_fresh;
                    DROP TABLE temp.search_check;
                    """)
            return differences
        }
    }
}
