import Client
import Foundation
import Hummingbird
import Shared

extension DeskPages {
    /// How many recommendations a page of the list shows.
    static let pageSize = 25
    /// The ratings of an independent assessment, in order.
    static let ratings = ["no_progress", "limited", "partial", "substantial", "implemented"]

    /// The recommendations list: search, filters picked from lists, and pages (the count of
    /// matches and of pages always shown).
    func recommendations(_ request: Request, context: DeskRequestContext) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let parameter = Self.parameters(request)
        var filter = try recommendationFilter(request)
        let facets = try self.facets.facets(replica, syncs: monitor.completed)
        let total = try replica.recommendationCount(filter)
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let current = min(max(1, parameter("page").flatMap { Int($0) } ?? 1), pages)
        filter.limit = Self.pageSize
        filter.offset = (current - 1) * Self.pageSize
        let found = try replica.recommendations(filter)

        func options(_ values: [(String, String)], selected: String?) -> [[String: Any]] {
            let any: [String: Any] = ["value": "", "label": catalog["filter_any"], "selected": selected == nil]
            return [any]
                + values.map { value -> [String: Any] in
                    ["value": value.0, "label": value.1, "selected": value.0 == selected]
                }
        }
        let filters: [[String: Any]] = [
            [
                "name": "mechanism", "label": catalog["filter_mechanism"],
                "options": options(facets.mechanisms.map { ($0, $0) }, selected: filter.mechanism),
            ],
            [
                "name": "session", "label": catalog["filter_session"],
                "options": options(
                    facets.sessions.map { ("\($0)", catalog.number($0)) }, selected: filter.session.map { "\($0)" }),
            ],
            [
                "name": "cycle", "label": catalog["filter_cycle"],
                "options": options(
                    facets.cycles.map { ("\($0)", catalog.number($0)) }, selected: filter.cycle.map { "\($0)" }),
            ],
            [
                "name": "theme", "label": catalog["filter_theme"],
                "options": options(facets.themes.map { ($0, $0) }, selected: filter.theme),
            ],
            [
                "name": "sdg", "label": catalog["filter_sdg"],
                "options": options(
                    facets.sdgGoals.map { ($0, catalog.text("sdg_goal", ["goal": $0])) }, selected: filter.sdg),
            ],
            [
                "name": "institution", "label": catalog["filter_institution"],
                "options": options(facets.institutions.map { ($0.id, $0.name) }, selected: filter.institution),
            ],
            [
                "name": "status", "label": catalog["filter_status"],
                "options": options(
                    ImplementationStatus.allCases.map { ($0.rawValue, catalog["status_" + $0.rawValue]) },
                    selected: filter.status?.rawValue),
            ],
            [
                "name": "rating", "label": catalog["filter_rating"],
                "options": options(Self.ratings.map { ($0, catalog["rating_" + $0]) }, selected: filter.rating),
            ],
        ]
        func link(_ path: String, _ extra: [URLQueryItem]) -> String {
            var items = URLComponents()
            items.queryItems =
                Self.filterNames.compactMap { name in parameter(name).map { URLQueryItem(name: name, value: $0) } }
                + extra
            return path + "?" + (items.percentEncodedQuery ?? "")
        }
        func link(page: Int) -> String { link("/recommendations", [URLQueryItem(name: "page", value: "\(page)")]) }
        var values: [String: Any] = [
            "search": filter.search ?? "", "filters": filters,
            "downloads": ExportFormat.allCases.map { format in
                [
                    "href": link("/export/recommendations", [URLQueryItem(name: "format", value: format.rawValue)]),
                    "label": catalog["export_format_" + format.rawValue],
                ]
            },
            "count": catalog.text("recs_count", ["count": catalog.number(total)]),
            "pageOf": catalog.text("recs_page_of", ["page": catalog.number(current), "pages": catalog.number(pages)]),
            "rows": found.map { summary -> [String: Any] in
                var row: [String: Any] = [
                    "id": summary.id, "text": Self.excerpt(summary.text), "mechanism": summary.mechanism ?? "",
                    "status": catalog["status_" + summary.status.rawValue],
                ]
                if let session = summary.session {
                    row["session"] = catalog.text("rec_session", ["session": catalog.number(session)])
                }
                if let position = summary.position { row["position"] = catalog["position_" + position] }
                if let role = summary.role { row["role"] = catalog["role_" + role] }
                return row
            },
        ]
        if current > 1 { values["previous"] = link(page: current - 1) }
        if current < pages { values["next"] = link(page: current + 1) }
        return try page(
            "recommendations", title: catalog["recs_title"], request: request, context: context, values: values)
    }

    /// The names of the list's filters, as its address carries them.
    static let filterNames = ["q", "mechanism", "session", "cycle", "theme", "sdg", "institution", "status", "rating"]

    /// A reader of `request`'s query parameters: a value, or nil when missing or blank.
    static func parameters(_ request: Request) -> (String) -> String? {
        let query = request.uri.queryParameters
        return { name in
            query[Substring(name)].map(String.init).flatMap {
                $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
            }
        }
    }

    /// The filter the list's address (`q`, `mechanism`, `session`…) describes; an institution
    /// not on this replica is ignored.
    func recommendationFilter(_ request: Request) throws -> RecommendationFilter {
        let parameter = Self.parameters(request)
        var filter = RecommendationFilter()
        filter.search = parameter("q")
        filter.mechanism = parameter("mechanism")
        filter.session = parameter("session").flatMap { Int($0) }
        filter.cycle = parameter("cycle").flatMap { Int($0) }
        filter.theme = parameter("theme")
        filter.sdg = parameter("sdg")
        filter.institution = parameter("institution")
        filter.status = parameter("status").flatMap(ImplementationStatus.init(rawValue:))
        filter.rating = parameter("rating").flatMap { Self.ratings.contains($0) ? $0 : nil }
        let facets = try self.facets.facets(replica, syncs: monitor.completed)
        if let institution = filter.institution, !facets.institutions.contains(where: { $0.id == institution }) {
            filter.institution = nil
        }
        return filter
    }

    /// A recommendation with everything that reaches it, and what this organisation may do there.
    func recommendation(_ id: String, request: Request, context: DeskRequestContext) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        guard let detail = try? replica.recommendationDetail(id) else { throw DeskError(.notFound) }
        let names = try institutionNames()
        let here = "/recommendations/\(id)"
        let text = AccessPolicy.text
        let rec = detail.recommendation
        func moves(_ table: String, _ row: String, from current: String?) -> [[String: Any]] {
            ((try? replica.allowedMoves(table, id: row)) ?? []).map {
                ["state": $0, "label": Self.moveLabel(to: $0, from: current, catalog: catalog)]
            }
        }
        func workflow(_ table: String, _ values: [String: FieldValue]) -> [String: Any] {
            let row = text(values["id"]) ?? ""
            let state = text(values["state"]) ?? "draft"
            return [
                "row": row, "table": table, "state": catalog["state_" + state], "return": here,
                "moves": moves(table, row, from: text(values["state"])),
            ].merging(historyLink(table, row, catalog: catalog)) { $1 }
        }
        // The revisions proposed for a published row: who proposes, its state and moves, and
        // each changed field as "published value → proposed value".
        let org = try? replica.settings().org
        let orgNames = organisationNames()
        func revisions(_ table: String, of published: [String: FieldValue]) -> [[String: Any]] {
            let rowID = text(published["id"]) ?? ""
            return ((try? replica.revisions(of: table, id: rowID)) ?? []).map { revision in
                var values = (try? replica.row(table, id: revision.id)) ?? [:]
                values["id"] = .text(revision.id)
                var view = workflow(table, values)
                let owner = revision.owner ?? org ?? ""
                view["by"] = catalog.text("revision_by", ["org": orgNames[owner] ?? owner])
                view["changes"] = revision.changed.map { column in
                    [
                        "field": catalog.strings["column_" + column] ?? column,
                        "from": shown(table, column, published[column], catalog: catalog),
                        "to": shown(table, column, values[column], catalog: catalog),
                    ]
                }
                return view
            }
        }
        var facts: [[String: String]] = []
        func fact(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { facts.append(["label": catalog[key], "value": value]) }
        }
        fact(
            "rec_mechanism",
            try text(rec["mechanism_id"]).flatMap { try replica.row("mechanism", id: $0) }
                .flatMap { text($0["code"]) })
        fact(
            "rec_document",
            [text(rec["document_symbol"]), text(rec["paragraph"])].compactMap { $0 }.joined(separator: " "))
        fact("filter_session", rec["session"].map { catalog.number($0) })
        fact("filter_cycle", rec["cycle"].map { catalog.number($0) })
        fact("rec_position", text(rec["position"]).map { catalog["position_" + $0] })
        fact("filter_theme", rec["themes"].flatMap(listText))
        fact("filter_sdg", rec["sdg_targets"].flatMap(listText))
        fact("rec_recommending_states", rec["recommending_states"].flatMap(listText))
        fact("rec_follow_up_due", text(rec["follow_up_due"]).map(catalog.date))

        let indicators: [[String: Any]] = detail.indicators.map { indicator in
            let indicatorID = text(indicator["id"])
            let readings = detail.progress.filter { text($0["indicator_id"]) == indicatorID && $0["value"] != nil }
                .sorted { (text($0["date"]) ?? "") < (text($1["date"]) ?? "") }
            return [
                "title": text(indicator["title"]) ?? "", "unit": text(indicator["unit"]) ?? "",
                "baseline": catalog.number(indicator["baseline"]), "target": catalog.number(indicator["target"]),
                "readings": readings.map {
                    ["date": catalog.date(text($0["date"]) ?? ""), "value": catalog.number($0["value"])]
                },
            ]
        }
        let actions: [[String: Any]] = detail.actions.map { action in
            let actionID = text(action["id"]) ?? ""
            var view = workflow("action", action)
            view["title"] = text(action["title"]) ?? ""
            view["evidence"] = evidence(of: "action", id: actionID, catalog: catalog)
            view["description"] = text(action["description"]) ?? ""
            view["institution"] = text(action["institution_id"]).flatMap { names[$0] } ?? ""
            view["status"] = text(action["status"]).map { catalog["action_status_" + $0] } ?? ""
            view["due"] = text(action["due_date"]).map { catalog.text("due_on", ["date": catalog.date($0)]) } ?? ""
            if let amount = action["budget_amount"] {
                view["budget"] = catalog.text(
                    "action_budget",
                    ["amount": catalog.number(amount), "currency": text(action["budget_currency"]) ?? ""])
            }
            view["revisions"] = revisions("action", of: action)
            if DeskForm.Kind.edit.permitted(replica, target: actionID) {
                view["editLink"] = "/actions/\(actionID)/edit"
            }
            view["progress"] = detail.progress.filter { text($0["action_id"]) == actionID }.map { update in
                var item = workflow("progress_update", update)
                item["revisions"] = revisions("progress_update", of: update)
                item["date"] = catalog.date(text(update["date"]) ?? "")
                item["narrative"] = text(update["narrative"]) ?? ""
                item["value"] = catalog.number(update["value"])
                item["evidence"] = evidence(of: "progress_update", id: text(update["id"]) ?? "", catalog: catalog)
                return item
            }
            if replica.permits(
                RowEdit(
                    table: "progress_update",
                    fields: ["action_id": .text(actionID), "narrative": .text("-"), "date": .text(Replica.today())]))
            {
                view["progressLink"] = "/actions/\(actionID)/progress"
            }
            return view
        }
        var assessmentRows = detail.assessments
        for draft in try replica.workItems(in: ["assessment"], own: true)
        where draft.recommendation == id && draft.state == "draft" {
            if var values = try replica.row("assessment", id: draft.id) {
                values["id"] = .text(draft.id)
                assessmentRows.append(values)
            }
        }
        let assessments: [[String: Any]] = assessmentRows.map { assessment in
            var view = workflow("assessment", assessment)
            view["rating"] = text(assessment["rating"]).map { catalog["rating_" + $0] } ?? ""
            view["rationale"] = text(assessment["rationale"]) ?? ""
            view["evidence"] = evidence(of: "assessment", id: text(assessment["id"]) ?? "", catalog: catalog)
            view["replies"] = detail.replies.filter { $0["assessment_id"] == assessment["id"] }.map { reply in
                [
                    "text": text(reply["text"]) ?? "", "revisions": revisions("assessment_reply", of: reply),
                ].merging(historyLink("assessment_reply", text(reply["id"]) ?? "", catalog: catalog)) { $1 }
            }
            return view
        }
        let submissions: [[String: Any]] = detail.submissions.map { submission in
            var view = workflow("submission", submission)
            // A sealed text this replica holds no key for says so, not its ciphertext.
            view["text"] =
                text(submission["text"]).map { $0.hasPrefix(SealedText.prefix) ? catalog["history_sealed"] : $0 } ?? ""
            view["evidence"] = evidence(of: "submission", id: text(submission["id"]) ?? "", catalog: catalog)
            if submission["confidential"] == .bool(true) { view["confidential"] = catalog["confidential"] }
            return view
        }
        let oversight: [[String: Any]] = detail.oversight.map { request in
            let requestID = text(request["id"]) ?? ""
            var view = workflow("oversight_request", request)
            view["text"] = text(request["text"]) ?? ""
            view["kind"] = text(request["kind"]).map { catalog["oversight_" + $0] } ?? ""
            view["evidence"] = evidence(of: "oversight_request", id: requestID, catalog: catalog)
            view["institution"] = text(request["institution_id"]).flatMap { names[$0] } ?? ""
            view["due"] = text(request["due_date"]).map { catalog.text("due_on", ["date": catalog.date($0)]) } ?? ""
            view["answers"] = detail.responses.filter { text($0["oversight_request_id"]) == requestID }.map { answer in
                var item = workflow("oversight_response", answer)
                item["text"] = text(answer["text"]) ?? ""
                item["evidence"] = evidence(of: "oversight_response", id: text(answer["id"]) ?? "", catalog: catalog)
                return item
            }
            if canAnswer(requestID) { view["answerLink"] = "/questions/\(requestID)/answer" }
            return view
        }
        let links: [[String: String]] = DeskForm.Kind.onRecommendation.compactMap { kind in
            kind.permitted(replica, target: id)
                ? ["href": "/recommendations/\(id)/\(kind.rawValue)", "label": catalog["form_\(kind.rawValue)_title"]]
                : nil
        }
        let values: [String: Any] = [
            "text": text(rec["text"]) ?? "", "textLanguage": text(rec["language"]) ?? "", "facts": facts,
            "clusters": detail.clusters.map { ["title": text($0["title"]) ?? ""] },
            "assignments": detail.assignments.map { assignment in
                [
                    "institution": text(assignment["institution_id"]).flatMap { detail.institutionNames[$0] } ?? "",
                    "role": text(assignment["role"]).map { catalog["role_" + $0] } ?? "",
                    "throughCluster": assignment["cluster_id"] != nil ? catalog["rec_through_cluster"] : "",
                ]
            },
            "actions": actions, "indicators": indicators, "assessments": assessments, "submissions": submissions,
            "oversight": oversight, "links": links,
            "evidence": evidence(of: "recommendation", id: id, catalog: catalog),
            "historyLink": "/history/recommendation/\(id)", "historyKind": catalog["table_recommendation"],
            "bills": detail.bills.map {
                ["title": text($0["title"]) ?? "", "stage": text($0["stage"]).map { catalog["bill_" + $0] } ?? ""]
            },
        ]
        return try page(
            "recommendation", title: catalog["rec_title"], request: request, context: context, values: values)
    }

    /// The link to the history of row `row` of `table`, with the kind of row its words name.
    func historyLink(_ table: String, _ row: String, catalog: Catalog) -> [String: Any] {
        ["historyLink": "/history/\(table)/\(row)", "historyKind": catalog["table_" + table]]
    }

    /// Whether this organisation may answer oversight request `request`.
    func canAnswer(_ request: String) -> Bool {
        replica.permits(
            RowEdit(
                table: "oversight_response", fields: ["oversight_request_id": .text(request), "text": .text("-")]))
    }

    /// A field's value as a revision lists it: statuses and dates in the page's language, a dash
    /// for none.
    func shown(_ table: String, _ column: String, _ value: FieldValue?, catalog: Catalog) -> String {
        switch value {
        case nil, .null?: return "–"
        case .text(let text)?:
            if column == "status" { return catalog[(table == "action" ? "action_status_" : "progress_status_") + text] }
            if column.hasSuffix("date") { return catalog.date(text) }
            return text
        case .list(let items)?: return items.joined(separator: ", ")
        case let value?: return catalog.number(value)
        }
    }

    private func listText(_ value: FieldValue) -> String? {
        guard case .list(let items) = value, !items.isEmpty else { return nil }
        return items.joined(separator: ", ")
    }
}
