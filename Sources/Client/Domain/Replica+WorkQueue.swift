import Shared

/// A row of a workflow table (an action, progress update, assessment, submission, oversight
/// request or answer, reply) as a list shows it.
public struct WorkItem: Sendable, Equatable {
    /// The row's table.
    public var table: String
    /// The row's id.
    public var id: String
    /// What it says: its title, text, narrative or rationale.
    public var summary: String
    /// Its workflow state (`draft`, `submitted`, `published`).
    public var state: String
    /// The recommendation it is about, directly or through its action, request or assessment.
    public var recommendation: String?
    /// The organisation that owns it; nil for a row this replica created and has not synced yet.
    public var ownerOrg: String?
    /// Its due date, when it has one.
    public var due: String?
    /// Whether it is a confidential submission.
    public var confidential: Bool
    /// The institution it concerns: the action's, or the one an oversight request addresses.
    public var institution: String?
    /// The row it answers or reports on: an answer's request, a progress update's action, a reply's assessment.
    public var parent: String?
}

/// An oversight request with the answers to it that this replica holds.
public struct OversightExchange: Sendable, Equatable {
    /// The request.
    public var request: WorkItem
    /// The answers, oldest first.
    public var answers: [WorkItem]
}

extension Replica {
    /// The tables whose rows move through a workflow, as the desk lists them.
    public static let workTables = [
        "action", "progress_update", "assessment", "assessment_reply", "submission", "oversight_request",
        "oversight_response",
    ]

    /// The live rows of `tables` (workflow tables), oldest first, of this replica's organisation only when `own`.
    public func workItems(in tables: [String] = Replica.workTables, own: Bool = false) throws -> [WorkItem] {
        let org = try settings().org
        var parents: [String: String] = [:]
        var items: [WorkItem] = []
        // Parents first, so that a child finds its recommendation through them.
        for table in Self.workTables where tables.contains(table) || Self.parentTables(of: tables).contains(table) {
            for (id, values) in try rows(table) {
                let text = AccessPolicy.text
                let parent =
                    text(values["action_id"]) ?? text(values["oversight_request_id"]) ?? text(values["assessment_id"])
                let recommendation = text(values["recommendation_id"]) ?? parent.flatMap { parents[$0] }
                if let recommendation { parents[id] = recommendation }
                guard tables.contains(table) else { continue }
                let item = WorkItem(
                    table: table, id: id,
                    summary: text(values["title"]) ?? text(values["text"]) ?? text(values["narrative"])
                        ?? text(values["rationale"]) ?? text(values["rating"]) ?? "",
                    state: text(values["state"]) ?? "draft", recommendation: recommendation,
                    ownerOrg: text(values["owner_org"]), due: text(values["due_date"]),
                    confidential: values["confidential"] == .bool(true), institution: text(values["institution_id"]),
                    parent: parent)
                if !own || item.ownerOrg == nil || item.ownerOrg == org { items.append(item) }
            }
        }
        return items
    }

    /// The oversight requests this replica holds with their answers, oldest first.
    public func oversightExchanges() throws -> [OversightExchange] {
        let items = try workItems(in: ["oversight_request", "oversight_response"])
        let answers = Dictionary(grouping: items.filter { $0.table == "oversight_response" }) { $0.parent ?? "" }
        return items.filter { $0.table == "oversight_request" }.map {
            OversightExchange(request: $0, answers: answers[$0.id] ?? [])
        }
    }

    private static func parentTables(of tables: [String]) -> [String] {
        var parents: [String] = []
        if tables.contains("progress_update") { parents.append("action") }
        if tables.contains("oversight_response") { parents.append("oversight_request") }
        if tables.contains("assessment_reply") { parents.append("assessment") }
        return parents
    }
}
