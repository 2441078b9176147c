import Client
import Foundation
import Hummingbird
import Shared

extension DeskPages {
    /// The home page: what is new since the user last looked, then the organisation's work.
    ///
    /// For the organisation's kind: its counts and the lists its work starts from. Remembers (a
    /// cookie) when the user looked.
    func home(_ request: Request, context: DeskRequestContext) throws -> Response {
        let catalog = renderer.catalog(context.language)
        let settings = try replica.settings()
        let cookie = "followup_seen_" + settings.replicaID.prefix(8).filter { $0.isLetter || $0.isNumber }
        let now = try replica.newsMark()
        let since = request.cookies[cookie].flatMap { Int64($0.value) } ?? now - 7 * 86_400_000
        let news = try replica.whatsNew(since: since)
        func group(_ key: String, _ items: [WhatsNew.Item]) -> [String: Any]? {
            items.isEmpty
                ? nil
                : [
                    "heading": catalog[key],
                    "items": items.map { item -> [String: Any] in
                        var view: [String: Any] = [
                            "summary": Self.excerpt(item.summary), "kind": catalog["table_" + item.table],
                        ]
                        if let recommendation = item.recommendation { view["recommendation"] = recommendation }
                        if let due = item.due { view["due"] = catalog.text("due_on", ["date": catalog.date(due)]) }
                        if item.table == "oversight_request", canAnswer(item.id) {
                            view["answerLink"] = "/questions/\(item.id)/answer"
                        }
                        return view
                    },
                ]
        }
        let groups = [
            group("news_assignments", news.assignments), group("news_questions", news.questions),
            group("news_answers", news.answers), group("news_assessments", news.assessments),
            group("news_overdue", news.overdue), group("news_due_soon", news.dueSoon),
        ].compactMap { $0 }
        let whatsNew: [String: Any] = [
            "title": catalog.text("news_title", ["when": catalog.moment(millis: since)]), "groups": groups,
            "none": groups.isEmpty ? catalog["news_none"] : "",
        ]
        var response = try homePage(request, context: context, whatsNew: whatsNew).response(
            from: request, context: context)
        response.setCookie(
            Cookie(
                name: cookie, value: "\(now)", maxAge: 365 * 24 * 3600, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// The home page for the organisation's kind, with `whatsNew` at the top.
    private func homePage(_ request: Request, context: DeskRequestContext, whatsNew: [String: Any]) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let settings = try replica.settings()
        let names = try institutionNames()
        let own = try replica.ownInstitution()
        let ownName = own.flatMap { names[$0] }
        var counts: [[String: Any]] = []
        var sections: [[String: Any]] = []
        func section(
            _ heading: String, _ items: [WorkItem], empty: String, extra: (WorkItem) -> [String: Any] = { _ in [:] }
        )
            -> [String: Any]
        {
            [
                "heading": catalog[heading], "emptyText": catalog[empty],
                "items": items.map {
                    itemView($0, catalog: catalog, names: names, returnTo: "/").merging(extra($0)) { $1 }
                },
            ]
        }
        let mine = try replica.workItems(own: true)
        switch OrganisationKind(rawValue: settings.orgKind) {
        case .ministry, .judiciary:
            var assigned = RecommendationFilter()
            assigned.institution = own
            let total = own == nil ? 0 : try replica.recommendationCount(assigned)
            let overdue = try replica.overdue(today: Replica.today()).filter { item in
                guard let ownName, let institution = item.institution else { return false }
                return institution.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .contains(ownName)
            }
            counts.append([
                "label": catalog.text(
                    "home_my_recommendations",
                    ["count": catalog.number(total), "overdue": catalog.number(overdue.count)]),
                "link": "/recommendations?institution=\(own ?? "")",
            ])
            let waiting = try replica.oversightExchanges().filter {
                $0.request.institution == own && $0.answers.isEmpty
            }
            sections.append(
                section("home_questions_to_answer", waiting.map(\.request), empty: "home_none") { item in
                    ["answerLink": "/questions/\(item.id)/answer"]
                })
            sections.append(
                section(
                    "home_my_drafts", mine.filter { $0.state == "draft" && $0.table != "oversight_response" },
                    empty: "home_none"))
        case .parliament, .unCountryTeam:
            let asked = try replica.oversightExchanges().filter {
                $0.request.ownerOrg == nil || $0.request.ownerOrg == settings.org
            }
            sections.append(
                section("home_my_questions", asked.map(\.request), empty: "home_none") { item in
                    let exchange = asked.first { $0.request.id == item.id }
                    return [
                        "answers": (exchange?.answers ?? []).map {
                            ["text": $0.summary, "state": catalog["state_" + $0.state]]
                        }
                    ]
                })
            if settings.orgKind == OrganisationKind.unCountryTeam.rawValue {
                sections.append(
                    section("home_my_submissions", mine.filter { $0.table == "submission" }, empty: "home_none"))
            }
        case .nhri:
            sections.append(
                section(
                    "home_draft_assessments", mine.filter { $0.table == "assessment" && $0.state == "draft" },
                    empty: "home_none"))
            sections.append(
                section(
                    "home_confidential_submissions",
                    try replica.workItems(in: ["submission"]).filter(\.confidential), empty: "home_none"))
        case .ngo:
            sections.append(
                section("home_my_submissions", mine.filter { $0.table == "submission" }, empty: "home_none"))
        case .secretariat, nil:
            counts.append([
                "label": catalog.text(
                    "home_all_recommendations",
                    ["count": catalog.number(try replica.recommendationCount(RecommendationFilter()))]),
                "link": "/recommendations",
            ])
            var clusters = [
                "label": catalog.text("home_clusters", ["count": catalog.number(try replica.rows("cluster").count)])
            ]
            if mayCluster { clusters["link"] = "/clusters" }
            counts.append(clusters)
            counts.append([
                "label": catalog.text(
                    "home_assignments", ["count": catalog.number(try replica.rows("assignment").count)])
            ])
            if mayImport { counts.append(["label": catalog["import_title"], "link": "/import"]) }
            sections.append(
                section(
                    "home_awaiting_publication",
                    try replica.workItems().filter { $0.state == "submitted" }, empty: "home_none"))
        }
        var values: [String: Any] = [
            "news": whatsNew, "counts": counts, "sections": sections,
            "welcome": catalog.text("home_welcome", ["name": settings.userName]),
        ]
        if let warning = changedKeyWarning(catalog) { values["keyWarning"] = warning }
        return try page("home", title: catalog["home_title"], request: request, context: context, values: values)
    }
}
