import Client
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// The public portal at `/`, no sign-in: a page in six languages with the dashboards, and the
/// open-data downloads at stable addresses, all read from `PublicView` (what the public may see).
///
/// Each answer carries an ETag of the public view's feed position (and the language and day for
/// the page); a request whose `If-None-Match` names it gets `304 Not Modified`.
struct PortalRoutes {
    let view: PublicView
    let clock: any WallClock

    /// The stable addresses of the open-data downloads.
    static let downloads = [
        (path: "/open-data/recommendations.csv", format: ExportFormat.csv, type: "text/csv; charset=utf-8"),
        (path: "/open-data/recommendations.json", format: ExportFormat.json, type: "application/json"),
    ]

    func add(to router: Router<FollowupRequestContext>) {
        router.get("/") { request, _ in
            let cursor = try await view.refresh()
            let lang =
                request.uri.queryParameters.get("lang").flatMap {
                    ReportCatalog.languages.contains($0) ? $0 : nil
                } ?? "en"
            let today = Self.day(clock.nowMillis())
            let tag = "\"p\(cursor)-\(lang)-\(today)\""
            if Self.matches(request, tag) { return Self.notModified(tag) }
            let catalog = try ReportCatalog(language: lang)
            let html = try PortalPage(replica: view.replica, catalog: catalog, today: today).html()
            return Self.answer(Data(html.utf8), type: "text/html; charset=utf-8", tag: tag)
        }
        for download in Self.downloads {
            router.get(RouterPath(download.path)) { request, _ in
                let cursor = try await view.refresh()
                let tag = "\"d\(cursor)\""
                if Self.matches(request, tag) { return Self.notModified(tag) }
                let table = try view.replica.trackingTable(RecommendationFilter())
                return Self.answer(try table.encoded(as: download.format), type: download.type, tag: tag)
            }
        }
    }

    /// YYYY-MM-DD of a time in milliseconds since the epoch (UTC).
    static func day(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    private static func matches(_ request: Request, _ tag: String) -> Bool {
        request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
            .contains {
                $0.trimmingCharacters(in: .whitespaces) == tag || $0.trimmingCharacters(in: .whitespaces) == "*"
            }
    }

    private static func notModified(_ tag: String) -> Response {
        Response(status: .notModified, headers: [.eTag: tag, .cacheControl: "no-cache"])
    }

    private static func answer(_ data: Data, type: String, tag: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .eTag: tag, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The portal's page in one language: what is published, the dashboards, the downloads.
struct PortalPage {
    let replica: Replica
    let catalog: ReportCatalog
    let today: String

    func html() throws -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let count = try replica.recommendationCount(RecommendationFilter())
        let dashboard = try replica.dashboard(catalog, today: today)
        let direction = catalog.isRightToLeft ? "rtl" : "ltr"
        let names = ["ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ru": "Русский", "zh": "中文"]
        let languages = ReportCatalog.languages.map { code in
            let current = code == catalog.language ? " aria-current=\"page\"" : ""
            return
                "<li><a href=\"/?lang=\(code)\" lang=\"\(code)\" hreflang=\"\(code)\"\(current)>\(names[code] ?? code)</a></li>"
        }.joined()
        let title = escape(catalog.text(.portalTitle))
        return """
            <!doctype html>
            <html lang="\(catalog.language)" dir="\(direction)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>
            body{font-family:sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1a1a1a;line-height:1.5}
            a{color:#1d4f91}a:focus{outline:3px solid #f4b400}
            nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0}
            figure.chart{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start;margin:2rem 0}
            figcaption{flex-basis:100%;font-weight:bold}
            table{border-collapse:collapse}th,td{border:1px solid #8c8c8c;padding:.25rem .5rem;text-align:start}
            svg{max-width:100%;height:auto}
            </style></head>
            <body>
            <header><h1>\(title)</h1>
            <nav aria-label="\(escape(catalog.text(.portalLanguages)))"><ul>\(languages)</ul></nav></header>
            <main>
            <p>\(escape(catalog.text(.portalCount, ["count": String(count)])))</p>
            <section aria-labelledby="open-data"><h2 id="open-data">\(escape(catalog.text(.portalOpenData)))</h2>
            <p>\(escape(catalog.text(.portalOpenDataNote)))</p>
            <ul><li><a href="/open-data/recommendations.csv">\(escape(catalog.text(.portalCsv)))</a></li>
            <li><a href="/open-data/recommendations.json">\(escape(catalog.text(.portalJson)))</a></li></ul></section>
            <section aria-labelledby="dashboards"><h2 id="dashboards">\(escape(catalog.text(.portalDashboards)))</h2>
            \(dashboard.html())
            </section>
            </main>
            </body>
            </html>

            """
    }
}
