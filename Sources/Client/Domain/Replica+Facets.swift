import GRDB
import Shared

/// The values the recommendations on this replica take, to pick filters from a list.
public struct RecommendationFacets: Sendable, Equatable {
    /// Mechanism codes in use, sorted.
    public var mechanisms: [String]
    /// Sessions in use, ascending.
    public var sessions: [Int]
    /// Cycles in use, ascending.
    public var cycles: [Int]
    /// Themes in use, sorted.
    public var themes: [String]
    /// SDG goals in use ("5", "16"), ascending.
    public var sdgGoals: [String]
    /// The institutions on this replica, by name: (row id, name).
    public var institutions: [InstitutionChoice]
}

/// An institution one can pick from a list.
public struct InstitutionChoice: Sendable, Equatable {
    /// The institution's row id.
    public var id: String
    /// Its name.
    public var name: String
    /// Its kind (`ministry`, `parliament`...), when known.
    public var kind: String?
    /// The organisation id the operator gave it, when it has one.
    public var org: String?
}

extension Replica {
    /// The mechanisms, sessions, cycles, themes, SDG goals and institutions the live
    /// recommendations and institutions on this replica use.
    public func recommendationFacets() throws -> RecommendationFacets {
        try read { db in
            RecommendationFacets(
                mechanisms: try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT m.code FROM recommendation r JOIN mechanism m ON m.id = r.mechanism_id
                        WHERE r._deleted IS NULL AND m._deleted IS NULL ORDER BY m.code
                        """),
                sessions: try Int.fetchAll(
                    db,
                    sql:
                        "SELECT DISTINCT session FROM recommendation WHERE _deleted IS NULL AND session IS NOT NULL ORDER BY session"
                ),
                cycles: try Int.fetchAll(
                    db,
                    sql:
                        "SELECT DISTINCT cycle FROM recommendation WHERE _deleted IS NULL AND cycle IS NOT NULL ORDER BY cycle"
                ),
                themes: try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT j.value FROM recommendation r, json_each(r.themes) j
                        WHERE r._deleted IS NULL ORDER BY j.value COLLATE NOCASE
                        """),
                sdgGoals: try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT CAST(CAST(j.value AS INTEGER) AS TEXT) FROM recommendation r, json_each(r.sdg_targets) j
                        WHERE r._deleted IS NULL ORDER BY CAST(j.value AS INTEGER)
                        """),
                institutions: try institutionChoices(db))
        }
    }

    /// The live institutions by name.
    public func institutions() throws -> [InstitutionChoice] {
        try read { db in try institutionChoices(db) }
    }

    private func institutionChoices(_ db: Database) throws -> [InstitutionChoice] {
        try Row.fetchAll(
            db,
            sql: "SELECT id, name, kind, org_id FROM institution WHERE _deleted IS NULL ORDER BY name COLLATE NOCASE"
        ).map { InstitutionChoice(id: $0[0], name: $0[1] ?? $0[0], kind: $0[2], org: $0[3]) }
    }
}
