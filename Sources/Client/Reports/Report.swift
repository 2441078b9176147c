import Foundation
import GRDB
import Shared

/// What a report to the UN covers.
public enum ReportScope: Sendable, Equatable {
    /// The UPR recommendations of one cycle (the mid-term report).
    case uprMidterm(cycle: Int)
    /// The recommendations of one treaty body (`CEDAW`, `CAT`...); with `followUpOnly`, those
    /// marked for follow-up (a `follow_up_due` date) alone.
    case treatyBody(String, followUpOnly: Bool = false)
    /// The recommendations assigned to one institution (row id or organisation id), directly or
    /// through a cluster.
    case institution(String)
}

/// A report to the UN as the replica's published work shows it.
///
/// Sections of recommendations, each with its published actions, indicators, progress and NHRI
/// assessments, and the implementation matrix. Language-neutral: `docx(_:)` writes it in one of
/// six languages.
///
/// Only published work enters: actions and progress updates in `published`, the NHRI's
/// `published` assessments, and indicators of published actions (or, on the recommendation
/// itself, those with a published progress update), with values from published updates only.
/// Recommendations, clusters, assignments and institutions are public records.
public struct Report: Sendable, Equatable {
    public var scope: ReportScope
    /// The name the scope gives the title: the cycle, the body's code or the institution's name.
    public var scopeName: String
    /// The deployment's State (ISO 3166 alpha-3), once a sync brought it.
    public var state: String?
    /// The day the report was made (YYYY-MM-DD).
    public var date: String
    /// One section a cluster, then one a recommendation in no cluster.
    public var sections: [ReportSection]

    /// The implementation matrix: every recommendation of the report once, in section order.
    public var matrix: ImplementationMatrix { ImplementationMatrix(report: self) }

    /// Every entry of the report once (a recommendation in two clusters shows in the first).
    public var entries: [ReportEntry] { sections.flatMap(\.entries) }
}

/// A section of a report: a cluster with its recommendations, or one recommendation alone.
public struct ReportSection: Sendable, Equatable {
    /// The cluster's title; nil for a recommendation in no cluster.
    public var cluster: String?
    /// The cluster's description.
    public var description: String?
    public var entries: [ReportEntry]
}

/// One recommendation of a report with its published follow-up.
public struct ReportEntry: Sendable, Equatable {
    public var id: String
    public var symbol: String?
    public var paragraph: String?
    public var text: String
    public var mechanism: String?
    public var session: Int?
    public var cycle: Int?
    public var recommendingStates: [String]
    public var position: String?
    /// The date the mechanism asked a follow-up by, when it marked the recommendation for one.
    public var followUpDue: String?
    /// Institution names, directly assigned or through a cluster.
    public var lead: [String]
    public var contributing: [String]
    public var actions: [ReportAction]
    public var indicators: [ReportIndicator]
    public var progress: [ReportProgress]
    /// The NHRI's published assessments of it or of its clusters, latest first.
    public var assessments: [ReportAssessment]
    /// Derived from the published actions only (cancelled ones aside).
    public var status: ImplementationStatus

    /// The heading of the entry: symbol and paragraph, else the start of the text.
    public var heading: String {
        let reference = [symbol, paragraph.map { "¶ \($0)" }].compactMap { $0 }.joined(separator: " ")
        if !reference.isEmpty { return reference }
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}

/// A published action.
public struct ReportAction: Sendable, Equatable {
    public var title: String
    public var institution: String?
    public var status: String?
    public var dueDate: String?
    public var budget: Double?
    public var currency: String?
}

/// An indicator with its latest published value.
public struct ReportIndicator: Sendable, Equatable {
    public var title: String
    public var unit: String?
    public var baseline: Double?
    public var target: Double?
    public var latestValue: Double?
    public var latestDate: String?
}

/// A published progress update.
public struct ReportProgress: Sendable, Equatable {
    public var date: String?
    public var narrative: String
    public var status: String?
}

/// An NHRI's published assessment.
public struct ReportAssessment: Sendable, Equatable {
    /// The NHRI's name.
    public var institution: String
    public var rating: String
    public var rationale: String?
}

extension ImplementationStatus {
    /// The status that action statuses give (nil counts as planned; cancelled ones do not count),
    /// the rule `ImplementationStatus.sql` applies in SQL.
    static func of(actionStatuses: [String?]) -> ImplementationStatus {
        let live = actionStatuses.map { $0 ?? "planned" }.filter { $0 != "cancelled" }
        if live.isEmpty { return .noAction }
        if live.allSatisfy({ $0 == "completed" }) { return .completed }
        if live.contains(where: { $0 == "in_progress" || $0 == "completed" }) { return .inProgress }
        return .planned
    }
}

extension Replica {
    /// The report on `scope` from this replica's published work, dated `date`.
    public func report(_ scope: ReportScope, date: String = Replica.today()) throws -> Report {
        var filter = RecommendationFilter()
        let scopeName: String
        switch scope {
        case .uprMidterm(let cycle):
            guard (1...20).contains(cycle) else {
                throw ReportError(.invalidScope, "a UPR cycle is a number from 1 to 20, not \(cycle)")
            }
            filter.mechanism = "UPR"
            filter.cycle = cycle
            scopeName = String(cycle)
        case .treatyBody(let body, _):
            let code = body.uppercased()
            let known = try read { db in
                try String.fetchOne(
                    db, sql: "SELECT code FROM mechanism WHERE code = ? COLLATE NOCASE AND _deleted IS NULL",
                    arguments: [code])
            }
            guard let known, known != "UPR" else {
                throw ReportError(
                    .invalidScope, "there is no treaty body '\(body)' on this replica (CEDAW, CAT, CRC...)")
            }
            filter.mechanism = known
            scopeName = known
        case .institution(let reference):
            let id = try institutionID(reference)
            filter.institution = id
            scopeName = try row("institution", id: id)?["name"]?.description ?? reference
        }
        let names = try institutionNames()
        var sections: [ReportSection] = []
        var clusterSections: [String: Int] = [:]
        for summary in try recommendations(filter) {
            let detail = try recommendationDetail(summary.id)
            if case .treatyBody(_, followUpOnly: true) = scope, detail.recommendation["follow_up_due"] == nil {
                continue
            }
            let entry = try reportEntry(detail, names: names)
            let clusters = detail.clusters.sorted {
                ($0["title"]?.description ?? "").localizedStandardCompare($1["title"]?.description ?? "")
                    == .orderedAscending
            }
            if let cluster = clusters.first, let title = cluster["title"]?.description {
                let key = cluster["id"]?.description ?? title
                if let index = clusterSections[key] {
                    sections[index].entries.append(entry)
                } else {
                    clusterSections[key] = sections.count
                    sections.append(
                        ReportSection(
                            cluster: title, description: cluster["description"]?.description, entries: [entry]))
                }
            } else {
                sections.append(ReportSection(cluster: nil, description: nil, entries: [entry]))
            }
        }
        // Clusters first, by title; then the recommendations in no cluster; each by symbol and
        // paragraph (numbers in order: 128.2 before 128.10).
        func ordered(_ left: ReportEntry, _ right: ReportEntry) -> Bool {
            if left.session != right.session { return (left.session ?? 0) < (right.session ?? 0) }
            let order = left.heading.localizedStandardCompare(right.heading)
            return order == .orderedSame ? left.id < right.id : order == .orderedAscending
        }
        for index in sections.indices { sections[index].entries.sort(by: ordered) }
        let clustered = sections.filter { $0.cluster != nil }.sorted {
            ($0.cluster ?? "").localizedStandardCompare($1.cluster ?? "") == .orderedAscending
        }
        let alone = sections.filter { $0.cluster == nil }.sorted { ordered($0.entries[0], $1.entries[0]) }
        return Report(
            scope: scope, scopeName: scopeName, state: try status().state, date: date, sections: clustered + alone)
    }

    /// Recommendation `id` with its published follow-up, as a report shows it (the portal's page
    /// of one recommendation); `row_not_found` when the replica does not hold it.
    public func publishedEntry(_ id: String) throws -> ReportEntry {
        try publishedEntry(try recommendationDetail(id))
    }

    /// The published part of a recommendation's detail already read, as a report shows it.
    public func publishedEntry(_ detail: RecommendationDetail) throws -> ReportEntry {
        try reportEntry(detail, names: try institutionNames())
    }

    /// Institution names by row id, with each NHRI's organisation id (for assessments' owners).
    private func institutionNames() throws -> (byID: [String: String], nhriByOrg: [String: String]) {
        var byID: [String: String] = [:]
        var nhriByOrg: [String: String] = [:]
        for (id, values) in try rows("institution") {
            let name = values["name"]?.description ?? id
            byID[id] = name
            if values["kind"] == .text("nhri"), case .text(let org)? = values["org_id"] { nhriByOrg[org] = name }
        }
        return (byID, nhriByOrg)
    }

    /// The published part of a recommendation's detail.
    private func reportEntry(
        _ detail: RecommendationDetail, names: (byID: [String: String], nhriByOrg: [String: String])
    ) throws -> ReportEntry {
        let published = FieldValue.text("published")
        func text(_ value: FieldValue?) -> String? {
            guard let value, value != .null else { return nil }
            let text = value.description
            return text.isEmpty ? nil : text
        }
        func number(_ value: FieldValue?) -> Double? {
            switch value {
            case .real(let number): number
            case .integer(let number): Double(number)
            default: nil
            }
        }
        func institutions(_ role: String) -> [String] {
            var seen: Set<String> = []
            return detail.assignments.filter { $0["role"] == .text(role) }
                .compactMap { text($0["institution_id"]).map { names.byID[$0] ?? $0 } }
                .filter { seen.insert($0).inserted }
        }
        let actions = detail.actions.filter { $0["state"] == published }
        let actionIDs = Set(actions.compactMap { text($0["id"]) })
        let progress = detail.progress.filter {
            $0["state"] == published && actionIDs.contains(text($0["action_id"]) ?? "")
        }
        var indicators: [ReportIndicator] = []
        for indicator in detail.indicators {
            guard let id = text(indicator["id"]) else { continue }
            let values = try rows("progress_update", where: "indicator_id", is: id)
                .map(\.values).filter { $0["state"] == published && number($0["value"]) != nil }
                .sorted { (text($0["date"]) ?? "") < (text($1["date"]) ?? "") }
            let onPublishedAction = text(indicator["action_id"]).map(actionIDs.contains) ?? false
            guard onPublishedAction || (indicator["action_id"] == nil && !values.isEmpty) else { continue }
            indicators.append(
                ReportIndicator(
                    title: text(indicator["title"]) ?? "", unit: text(indicator["unit"]),
                    baseline: number(indicator["baseline"]), target: number(indicator["target"]),
                    latestValue: number(values.last?["value"]), latestDate: text(values.last?["date"])))
        }
        let assessments = detail.assessments.reversed().compactMap { row -> ReportAssessment? in
            guard row["state"] == published, let owner = text(row["owner_org"]), let nhri = names.nhriByOrg[owner],
                let rating = text(row["rating"])
            else { return nil }
            return ReportAssessment(institution: nhri, rating: rating, rationale: text(row["rationale"]))
        }
        let recommendation = detail.recommendation
        let mechanism = try text(recommendation["mechanism_id"]).flatMap { try row("mechanism", id: $0)?["code"] }
        var states: [String] = []
        if case .list(let items)? = recommendation["recommending_states"] { states = items }
        func integer(_ value: FieldValue?) -> Int? {
            if case .integer(let number)? = value { return Int(number) }
            return nil
        }
        return ReportEntry(
            id: text(recommendation["id"]) ?? "", symbol: text(recommendation["document_symbol"]),
            paragraph: text(recommendation["paragraph"]), text: text(recommendation["text"]) ?? "",
            mechanism: text(mechanism), session: integer(recommendation["session"]),
            cycle: integer(recommendation["cycle"]), recommendingStates: states,
            position: text(recommendation["position"]), followUpDue: text(recommendation["follow_up_due"]),
            lead: institutions("lead"),
            contributing: institutions("contributing"),
            actions: actions.map {
                ReportAction(
                    title: text($0["title"]) ?? "",
                    institution: text($0["institution_id"]).map { names.byID[$0] ?? $0 },
                    status: text($0["status"]), dueDate: text($0["due_date"]), budget: number($0["budget_amount"]),
                    currency: text($0["budget_currency"]))
            },
            indicators: indicators,
            progress: progress.map {
                ReportProgress(
                    date: text($0["date"]), narrative: text($0["narrative"]) ?? "", status: text($0["status"]))
            }, assessments: assessments,
            status: ImplementationStatus.of(actionStatuses: actions.map { text($0["status"]) }))
    }
}
