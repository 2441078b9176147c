import Client
import Foundation
import Shared

/// The portal's pages in one language, read from the public's view: the home page, the list of
/// recommendations with search and filters, and one recommendation with its published work.
struct PortalPage {
    let replica: Replica
    /// The public view's position the page is rendered at (its ETag's).
    let position: Int64
    let catalog: ReportCatalog
    let today: String

    /// The home page: how many recommendations, the open data, the dashboards.
    func home() throws -> String {
        let count = try replica.recommendationCount(RecommendationFilter())
        let dashboard = try replica.dashboard(catalog, today: today)
        return layout(
            catalog.text(.portalTitle), path: "/",
            """
            <p>\(escape(catalog.text(.portalCount, ["count": String(count)])))
            <a href="/recommendations?lang=\(catalog.language)">\(escape(catalog.text(.portalAll)))</a></p>
            <section aria-labelledby="open-data"><h2 id="open-data">\(escape(catalog.text(.portalOpenData)))</h2>
            <p>\(escape(catalog.text(.portalOpenDataNote)))</p>
            <ul><li><a href="/open-data/recommendations.csv">\(escape(catalog.text(.portalCsv)))</a></li>
            <li><a href="/open-data/recommendations.json">\(escape(catalog.text(.portalJson)))</a></li></ul></section>
            <section aria-labelledby="dashboards"><h2 id="dashboards">\(escape(catalog.text(.portalDashboards)))</h2>
            \(dashboard.html())
            </section>
            """)
    }

    /// Recommendations a page of the list holds.
    static let pageSize = 50

    /// One page of the recommendations `filter` matches, with how many match in all and links to
    /// the other pages (a page past the last shows the last).
    ///
    /// `matches` gives the ids the filter matches, in order (kept between pages by the caller).
    func list(_ filter: RecommendationFilter, page: Int, matches: () throws -> [String]) throws -> String {
        let ids = try matches()
        let total = ids.count
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let current = min(max(1, page), pages)
        let found = try replica.recommendationSummaries(
            Array(ids[min((current - 1) * Self.pageSize, total)..<min(current * Self.pageSize, total)]))
        let items = found.map { summary in
            let status = catalog.term("status", summary.status.rawValue)
            return """
                <li><a href="/recommendations/\(summary.id)?lang=\(catalog.language)">\(escape(Self.clip(summary.text)))</a> \
                <span>(\(escape([summary.mechanism, summary.session.map(String.init)].compactMap { $0 }.joined(separator: " "))); \(escape(status)))</span></li>
                """
        }.joined(separator: "\n")
        return layout(
            catalog.text(.portalRecommendations), path: "/recommendations",
            """
            <form method="get" action="/recommendations" role="search">
            <input type="hidden" name="lang" value="\(catalog.language)">
            <label for="q">\(escape(catalog.text(.portalSearchWords)))</label>
            <input id="q" name="q" type="search" value="\(escape(filter.search ?? ""))">
            <label for="mechanism">\(escape(catalog.text(.recommendationMechanism)))</label>
            <input id="mechanism" name="mechanism" value="\(escape(filter.mechanism ?? ""))">
            <button type="submit">\(escape(catalog.text(.portalSearch)))</button>
            </form>
            <p role="status">\(escape(catalog.text(.portalResults, ["count": String(total)])))</p>
            <ul>\(items)</ul>
            \(pager(filter, current: current, pages: pages))
            """)
    }

    /// The list's page links: where this page stands, the previous and the next page.
    private func pager(_ filter: RecommendationFilter, current: Int, pages: Int) -> String {
        func link(_ page: Int, _ label: ReportLabel, _ rel: String) -> String {
            var query = [
                ("q", filter.search), ("mechanism", filter.mechanism), ("cycle", filter.cycle.map(String.init)),
            ]
            query += [("session", filter.session.map(String.init)), ("sdg", filter.sdg), ("theme", filter.theme)]
            query += [("lang", catalog.language), ("page", String(page))]
            let href = query.compactMap { name, value in
                value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            }.joined(separator: "&amp;")
            return "<li><a href=\"/recommendations?\(href)\" rel=\"\(rel)\">\(escape(catalog.text(label)))</a></li>"
        }
        var items = [
            "<li aria-current=\"page\">\(escape(catalog.text(.portalPage, ["page": String(current), "pages": String(pages)])))</li>"
        ]
        if current > 1 { items.insert(link(current - 1, .portalPrevious, "prev"), at: 0) }
        if current < pages { items.append(link(current + 1, .portalNext, "next")) }
        return "<nav aria-label=\"\(escape(catalog.text(.portalPages)))\"><ul>\(items.joined())</ul></nav>"
    }

    /// One recommendation with its published actions, progress, NHRI assessments, submissions
    /// and bills; nil when the public's view does not hold it (an unknown or unpublished id alike).
    func recommendation(_ id: String) throws -> String? {
        guard try replica.row("recommendation", id: id) != nil else { return nil }
        let detail = try replica.recommendationDetail(id)
        let entry = try replica.publishedEntry(detail)
        var body = "<blockquote><p>\(escape(entry.text))</p></blockquote><dl>"
        func item(_ label: ReportLabel, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            body += "<dt>\(escape(catalog.text(label)))</dt><dd>\(escape(value))</dd>"
        }
        item(.recommendationSymbol, entry.symbol)
        item(.recommendationParagraph, entry.paragraph)
        item(.recommendationMechanism, entry.mechanism)
        item(.recommendationSession, entry.session.map(String.init))
        item(.recommendationCycle, entry.cycle.map(String.init))
        item(
            .recommendationRecommendingStates,
            entry.recommendingStates.map { Countries.name(forCode: $0) ?? $0 }.joined(separator: ", "))
        item(.recommendationPosition, entry.position.map { catalog.term("position", $0) })
        item(.recommendationStatus, catalog.term("status", entry.status.rawValue))
        item(.institutionsLead, entry.lead.joined(separator: ", "))
        item(.institutionsContributing, entry.contributing.joined(separator: ", "))
        body += "</dl>"
        body += "<h2>\(escape(catalog.text(.actions)))</h2>"
        if entry.actions.isEmpty { body += "<p>\(escape(catalog.text(.none)))</p>" }
        if !entry.actions.isEmpty {
            body += "<table><thead><tr>"
            for label in [ReportLabel.actionTitle, .actionInstitution, .actionStatus, .actionDue] {
                body += "<th scope=\"col\">\(escape(catalog.text(label)))</th>"
            }
            body += "</tr></thead><tbody>"
            for action in entry.actions {
                body += "<tr><td>\(escape(action.title))</td><td>\(escape(action.institution ?? ""))</td>"
                body += "<td>\(escape(catalog.term("status", action.status ?? "planned")))</td>"
                body += "<td>\(escape(action.dueDate ?? ""))</td></tr>"
            }
            body += "</tbody></table>"
        }
        body += "<h2>\(escape(catalog.text(.progress)))</h2>"
        if entry.progress.isEmpty { body += "<p>\(escape(catalog.text(.none)))</p>" }
        for update in entry.progress {
            body += "<p><strong>\(escape(update.date ?? ""))</strong> \(escape(update.narrative))</p>"
        }
        for assessment in entry.assessments {
            body += "<section class=\"nhri\"><h2>\(escape(catalog.text(.nhriHeading)))</h2>"
            body += "<p>\(escape(catalog.text(.nhriBy, ["institution": assessment.institution])))</p>"
            body +=
                "<p><strong>\(escape(catalog.text(.nhriRating))):</strong> \(escape(catalog.term("rating", assessment.rating)))</p>"
            if let rationale = assessment.rationale {
                body += "<p><strong>\(escape(catalog.text(.nhriRationale))):</strong> \(escape(rationale))</p>"
            }
            body += "</section>"
        }
        let submissions = detail.submissions.compactMap { $0["text"]?.description }
        if !submissions.isEmpty {
            body += "<h2>\(escape(catalog.text(.portalSubmissions)))</h2>"
            body += submissions.map { "<blockquote><p>\(escape($0))</p></blockquote>" }.joined()
        }
        body += "<p><a href=\"/recommendations?lang=\(catalog.language)\">\(escape(catalog.text(.portalAll)))</a></p>"
        return layout(entry.heading, path: "/recommendations/\(id)", body)
    }

    /// The page around `body`: language and direction, the language links, the title.
    private func layout(_ title: String, path: String, _ body: String) -> String {
        let names = ["ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ru": "Русский", "zh": "中文"]
        let languages = ReportCatalog.languages.map { code in
            let current = code == catalog.language ? " aria-current=\"page\"" : ""
            return
                "<li><a href=\"\(path)?lang=\(code)\" lang=\"\(code)\" hreflang=\"\(code)\"\(current)>\(names[code] ?? code)</a></li>"
        }.joined()
        return """
            <!doctype html>
            <html lang="\(catalog.language)" dir="\(catalog.isRightToLeft ? "rtl" : "ltr")">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body{font-family:sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1a1a1a;line-height:1.5}
            a{color:#1d4f91}a:focus,input:focus,button:focus{outline:3px solid #f4b400}
            nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0}
            figure.chart{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start;margin:2rem 0}
            figcaption{flex-basis:100%;font-weight:bold}
            table{border-collapse:collapse}th,td{border:1px solid #8c8c8c;padding:.25rem .5rem;text-align:start}
            .nhri{border-inline-start:6px solid #7030a0;padding-inline-start:1rem}
            svg{max-width:100%;height:auto}
            </style></head>
            <body>
            <header><p><a href="/?lang=\(catalog.language)">\(escape(catalog.text(.portalTitle)))</a></p>
            <nav aria-label="\(escape(catalog.text(.portalLanguages)))"><ul>\(languages)</ul></nav></header>
            <main><h1>\(escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func clip(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 160 ? String(flat.prefix(159)) + "…" : flat
    }
}
