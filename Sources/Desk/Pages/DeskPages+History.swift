import Client
import Foundation
import Hummingbird
import Logging
import Shared

extension DeskPages {
    /// The tables whose rows have a history page: those the recommendation's page lists.
    static let historyTables = attachableTables.union(["assessment_reply", "assignment", "cluster", "indicator"])

    /// The catalog keys that name columns without a `column_` key of their own (the labels the
    /// recommendation's page uses).
    static let columnLabels = [
        "session": "filter_session", "cycle": "filter_cycle", "themes": "filter_theme", "sdg_targets": "filter_sdg",
        "position": "rec_position", "recommending_states": "rec_recommending_states",
        "follow_up_due": "rec_follow_up_due", "mechanism_id": "rec_mechanism", "document_symbol": "rec_document",
        "baseline": "rec_baseline", "target": "rec_target", "unit": "rec_unit",
    ]

    /// The longest value a history shows whole; longer ones are cut.
    static let historyValueLength = 160

    /// The history of row `id` of `table` (`followup history`, §18.6): who changed which field,
    /// when, with the new value when this replica knows it, the edits still waiting on this
    /// computer, and what this replica saw of the server's audit log.
    ///
    /// 404 for a table without pages or a row this replica does not hold: nothing is asked of
    /// the server about it.
    func history(table: String, id: String, request: Request, context: DeskRequestContext) async throws -> HTML {
        let catalog = renderer.catalog(context.language)
        guard Self.historyTables.contains(table), (try? replica.row(table, id: id)) != nil else {
            throw DeskError(.notFound)
        }
        var accepted: HistoryResponse?
        do {
            accepted = try await replica.history(table: table, row: id)
        } catch let error as TransportError where error.code == .notFound {
            // Made here and not accepted yet: the server's log has nothing of it.
            accepted = HistoryResponse(table: table, row: id, entries: [])
        } catch {
            context.logger.notice("desk.history.unanswered", metadata: ["desk.error": "\(error)"])
        }
        let history = try replica.rowHistory(table: table, row: id, accepted: accepted)
        let orgNames = organisationNames()
        let institutionNames = (try? self.institutionNames()) ?? [:]
        let rows: [[String: Any]] = history.changes.flatMap { change -> [[String: Any]] in
            let common: [String: Any] = [
                "when": catalog.moment(millis: change.at),
                "org": TerminalText.escaped(orgNames[change.org] ?? change.org),
                "user": TerminalText.escaped(change.user),
                "standing": change.pending ? catalog["history_pending"] : catalog["history_accepted"],
                "pending": change.pending,
            ]
            guard change.kind == .upsert else {
                return [common.merging(["field": catalog["history_deleted"], "value": "–"]) { $1 }]
            }
            return change.fields.map { field in
                common.merging(
                    [
                        "field": catalog.strings["column_" + field.name]
                            ?? Self.columnLabels[field.name].map { catalog[$0] } ?? field.name,
                        "value": historyValue(
                            table, field, catalog: catalog, institutions: institutionNames, organisations: orgNames),
                    ]
                ) { $1 }
            }
        }
        var values: [String: Any] = [
            "kind": catalog["table_" + table], "rows": rows,
            "back": backLink(table: table, id: id),
            "audit": auditSummary(catalog),
        ]
        if let about = about(table: table, id: id) { values["about"] = about }
        if accepted == nil { values["unanswered"] = catalog["history_unanswered"] }
        return try page(
            "history", title: catalog["history_title"], request: request, context: context, values: values)
    }

    /// A value of a history as the page shows it: a dash for none, statuses, states, ratings and
    /// dates in the page's language, an institution or organisation by name, other rows as "a linked record",
    /// control characters shown escaped, long texts cut.
    private func historyValue(
        _ table: String, _ field: RowHistory.Field, catalog: Catalog, institutions: [String: String],
        organisations: [String: String]
    ) -> String {
        switch field.value {
        case .sealed: return catalog["history_sealed"]
        case .replaced: return catalog["history_replaced"]
        case .known(let value):
            let column = field.name
            switch value {
            case .text(let text) where column == "institution_id":
                return institutions[text] ?? catalog["history_linked"]
            case .text(let text) where column == "owner_org": return organisations[text] ?? text
            case .text where column.hasSuffix("_id") || column == "id": return catalog["history_linked"]
            case .text(let text) where column == "state": return catalog["state_" + text]
            case .text(let text) where column == "rating": return catalog["rating_" + text]
            case .bool(let flag): return catalog[flag ? "history_yes" : "history_no"]
            default:
                return Self.excerpt(
                    TerminalText.escaped(shown(table, column, value, catalog: catalog)),
                    length: Self.historyValueLength)
            }
        }
    }

    /// Where a row's pages lead back to: its recommendation, its cluster, or home.
    func backLink(table: String, id: String) -> String {
        if table == "cluster" { return "/clusters/\(id)" }
        return recommendation(ofRow: id, table: table).map { "/recommendations/\($0)" } ?? "/"
    }

    /// What row `id` of `table` says, cut to a few lines: its text, title, narrative or rationale.
    func about(table: String, id: String) -> String? {
        guard let row = try? replica.row(table, id: id) else { return nil }
        let text = AccessPolicy.text
        return (text(row["text"]) ?? text(row["title"]) ?? text(row["narrative"]) ?? text(row["rationale"]))
            .flatMap { $0.hasPrefix(SealedText.prefix) ? nil : Self.excerpt(TerminalText.escaped($0), length: 400) }
    }

    /// What this replica saw of the server's audit log: the latest signed head and the desk's
    /// last check of it.
    func auditSummary(_ catalog: Catalog) -> [String: Any] {
        var summary: [String: Any] = [:]
        if let head = try? replica.latestSeenTreeHead() {
            summary["head"] = catalog.text(
                "audit_head",
                ["count": catalog.number(Int(head.treeSize)), "when": catalog.moment(millis: head.signedAt)])
        } else {
            summary["head"] = catalog["audit_no_head"]
        }
        guard let last = audit.last else {
            summary["result"] = catalog["audit_not_checked"]
            return summary
        }
        let when = catalog.moment(millis: last.at)
        if let verification = last.verification {
            if verification.problems.isEmpty {
                summary["result"] = catalog.text(
                    "audit_verified",
                    [
                        "when": when, "operations": catalog.number(verification.operations),
                        "count": catalog.number(Int(verification.head.treeSize)),
                        "heads": catalog.number(verification.heads),
                    ])
                summary["verified"] = true
            } else {
                summary["result"] = catalog.text(
                    "audit_problems", ["when": when, "count": catalog.number(verification.problems.count)])
                summary["problems"] = verification.problems.map { ["text": TerminalText.escaped($0)] }
                summary["failed"] = true
            }
        } else {
            summary["result"] = catalog.text(
                "audit_unanswered", ["when": when, "reason": TerminalText.escaped(last.failure ?? "")])
            summary["failed"] = true
        }
        return summary
    }
}
