import Foundation
import GRDB
import Shared

/// What reached this replica's organisation since a moment: what a user has not seen yet.
public struct WhatsNew: Sendable, Equatable {
    /// One new thing.
    public struct Item: Sendable, Equatable {
        /// The row's table.
        public var table: String
        /// The row's id.
        public var id: String
        /// What it says.
        public var summary: String
        /// The recommendation it is about, when one.
        public var recommendation: String?
        /// Its due date, when it has one.
        public var due: String?
    }

    /// Recommendations or clusters newly assigned to the organisation.
    public var assignments: [Item] = []
    /// Questions addressed to the organisation.
    public var questions: [Item] = []
    /// Answers to the organisation's questions.
    public var answers: [Item] = []
    /// Assessments published.
    public var assessments: [Item] = []
    /// The organisation's open actions and the questions to it due within the coming days.
    public var dueSoon: [Item] = []
    /// The organisation's open actions and unanswered questions to it past their due date.
    public var overdue: [Item] = []

    /// Whether there is nothing at all.
    public var isEmpty: Bool {
        assignments.isEmpty && questions.isEmpty && answers.isEmpty && assessments.isEmpty && dueSoon.isEmpty
            && overdue.isEmpty
    }
}

extension Replica {
    /// What changed for this organisation after `since` (milliseconds since 1970, by the version
    /// of the field that made it new), and what is due within `days` of `today` or overdue.
    public func whatsNew(since: Int64, today: String = Replica.today(), days: Int = 14) throws -> WhatsNew {
        let settings = try settings()
        let own = try ownInstitution()
        // Everything stamped within the millisecond `since` counts as seen.
        let after = HLCTimestamp(physical: since, logical: .max).description
        let horizon = Self.day(today, plus: days)
        return try read { db in
            func items(_ sql: String, _ arguments: StatementArguments) throws -> [WhatsNew.Item] {
                try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                    WhatsNew.Item(table: $0[0], id: $0[1], summary: $0[2] ?? "", recommendation: $0[3], due: $0[4])
                }
            }
            var news = WhatsNew()
            news.assignments = try items(
                """
                SELECT 'assignment', a.id, coalesce(r.text, c.title), a.recommendation_id, NULL FROM assignment a
                LEFT JOIN recommendation r ON r.id = a.recommendation_id LEFT JOIN cluster c ON c.id = a.cluster_id
                WHERE a._deleted IS NULL AND a.institution_id = :own AND a.institution_id__v > :after ORDER BY a.id
                """, ["own": own, "after": after])
            news.questions = try items(
                """
                SELECT 'oversight_request', q.id, q.text, q.recommendation_id, q.due_date FROM oversight_request q
                WHERE q._deleted IS NULL AND q.institution_id = :own AND q.state != 'draft'
                  AND (q.state__v > :after OR q.institution_id__v > :after) ORDER BY q.id
                """, ["own": own, "after": after])
            news.answers = try items(
                """
                SELECT 'oversight_response', s.id, s.text, q.recommendation_id, NULL FROM oversight_response s
                JOIN oversight_request q ON q.id = s.oversight_request_id
                WHERE s._deleted IS NULL AND q._deleted IS NULL AND coalesce(q.owner_org, :org) = :org
                  AND s.state != 'draft' AND (s.state__v > :after OR s.text__v > :after) ORDER BY s.id
                """, ["org": settings.org, "after": after])
            news.assessments = try items(
                """
                SELECT 'assessment', s.id, coalesce(s.rationale, s.rating), s.recommendation_id, NULL FROM assessment s
                WHERE s._deleted IS NULL AND s.state = 'published' AND s.state__v > :after ORDER BY s.id
                """, ["after": after])
            /// The open actions of the organisation and the unanswered questions to it whose due date meets `condition` (given a table alias).
            func open(_ condition: (String) -> String) -> String {
                """
                SELECT 'action', a.id, a.title, a.recommendation_id, a.due_date FROM action a
                WHERE a._deleted IS NULL AND a.revision_of IS NULL AND a.institution_id = :own
                  AND coalesce(a.status, 'planned') NOT IN ('completed', 'cancelled') AND \(condition("a"))
                UNION ALL
                SELECT 'oversight_request', q.id, q.text, q.recommendation_id, q.due_date FROM oversight_request q
                WHERE q._deleted IS NULL AND q.institution_id = :own AND q.state != 'draft' AND NOT EXISTS (
                    SELECT 1 FROM oversight_response s WHERE s.oversight_request_id = q.id AND s._deleted IS NULL
                      AND s.state != 'draft') AND \(condition("q"))
                ORDER BY 5
                """
            }
            news.dueSoon = try items(
                open { "\($0).due_date >= :today AND \($0).due_date <= :horizon" },
                ["own": own, "today": today, "horizon": horizon])
            news.overdue = try items(open { "\($0).due_date < :today" }, ["own": own, "today": today])
            return news
        }
    }

    /// The moment to pass to `whatsNew(since:)` next time, for what is known now: the later of
    /// the system clock and the newest version this replica has seen (a version written on a
    /// clock ahead of this one must not show as new twice).
    ///
    /// Versions carry the writer's time, not the arrival's: an edit made offline long ago and
    /// synced since shows as new only if it is newer than the mark.
    public func newsMark() throws -> Int64 {
        let settings = try settings()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let seen = [settings.maxKnownHLC, settings.hlcLast].compactMap { HLCTimestamp($0)?.physical }
        return ([now] + seen).max() ?? now
    }

    /// The calendar day `days` after `day` (`YYYY-MM-DD`, UTC); `day` itself when it is no date.
    static func day(_ day: String, plus days: Int) -> String {
        guard let date = try? Date(day + "T00:00:00Z", strategy: .iso8601) else { return day }
        return String(date.addingTimeInterval(Double(days) * 86_400).formatted(.iso8601).prefix(10))
    }
}
