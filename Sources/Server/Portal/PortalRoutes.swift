import Client
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared
import Synchronization

/// The public portal at `/`, no sign-in: a page in six languages with the dashboards, and the
/// open-data downloads at stable addresses, all read from `PublicView` (what the public may see).
///
/// Each answer carries an ETag of the public view's feed position (and, for a page, the day and
/// the address); a request whose `If-None-Match` names it gets `304 Not Modified`, and an answer
/// already rendered for that ETag is served again without reading the replica.
struct PortalRoutes {
    let view: PublicView
    let clock: any WallClock
    /// Answers already rendered, by ETag (which names the public view's position).
    let rendered = RenderedAnswers()
    /// The ids each filter of the list matches, kept between its pages.
    let matches = FilterMatches()

    /// The stable addresses of the open-data downloads.
    static let downloads = [
        (path: "/open-data/recommendations.csv", format: ExportFormat.csv, type: "text/csv; charset=utf-8"),
        (path: "/open-data/recommendations.json", format: ExportFormat.json, type: "application/json"),
    ]

    func add(to router: Router<FollowupRequestContext>) {
        router.get("/") { request, _ in
            try await page(request) { try $0.home() }
        }
        router.get("recommendations") { request, _ in
            let query = request.uri.queryParameters
            var filter = RecommendationFilter()
            filter.search = query.get("q").flatMap { $0.isEmpty ? nil : $0 }
            filter.mechanism = query.get("mechanism").flatMap { $0.isEmpty ? nil : $0.uppercased() }
            filter.cycle = query.get("cycle").flatMap { Int($0) }
            filter.session = query.get("session").flatMap { Int($0) }
            filter.sdg = query.get("sdg").flatMap { $0.isEmpty ? nil : $0 }
            filter.theme = query.get("theme").flatMap { $0.isEmpty ? nil : $0 }
            let number = query.get("page").flatMap { Int($0) } ?? 1
            let (chosen, matches) = (filter, matches)
            return try await page(request) { page in
                try page.list(chosen, page: number) {
                    try matches.ids(of: chosen, at: page.position) { try page.replica.recommendationIDs(chosen) }
                }
            }
        }
        router.get("recommendations/:id") { request, context in
            let id = try context.parameters.require("id")
            let path = request.uri.path
            return try await page(request) { page in
                guard let html = try page.recommendation(id) else {
                    // The same answer for an unknown id and an unpublished one.
                    throw APIError(.notFound, "no such page: \(path)")
                }
                return html
            }
        }
        for download in Self.downloads {
            router.get(RouterPath(download.path)) { request, _ in
                let cursor = try await view.refresh()
                let tag = "\"d\(cursor)-\(download.format.rawValue)\""
                if Self.matches(request, tag) { return Self.notModified(tag) }
                let replica = view.replica
                let data = try await rendered.answer(tag) {
                    try replica.trackingTable(RecommendationFilter()).encoded(as: download.format)
                }
                return Self.answer(data, type: download.type, tag: tag)
            }
        }
    }

    /// A page in the language the query asks (English otherwise), with its ETag: the public
    /// view's position, the day (overdue items depend on it) and the address.
    private func page(_ request: Request, _ render: @escaping @Sendable (PortalPage) throws -> String) async throws
        -> Response
    {
        let cursor = try await view.refresh()
        let lang =
            request.uri.queryParameters.get("lang").flatMap { ReportCatalog.languages.contains($0) ? $0 : nil } ?? "en"
        let today = Self.day(clock.nowMillis())
        let address = SHA256.hash(data: Data(request.uri.description.utf8)).prefix(6)
            .map { String(format: "%02x", $0) }.joined()
        let tag = "\"p\(cursor)-\(today)-\(address)\""
        if Self.matches(request, tag) { return Self.notModified(tag) }
        let type = "text/html; charset=utf-8"
        let replica = view.replica
        let data = try await rendered.answer(tag) {
            Data(
                try render(
                    PortalPage(replica: replica, position: cursor, catalog: try Self.catalog(lang), today: today)
                ).utf8)
        }
        return Self.answer(data, type: type, tag: tag)
    }

    /// The six catalogs, read once.
    private static let catalogs: [String: ReportCatalog] = Dictionary(
        uniqueKeysWithValues: ReportCatalog.languages.compactMap { code in
            (try? ReportCatalog(language: code)).map { (code, $0) }
        })

    private static func catalog(_ language: String) throws -> ReportCatalog {
        try catalogs[language] ?? ReportCatalog(language: language)
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

/// The portal's rendered answers by ETag, the least recently used forgotten first, so the pages
/// many visitors ask for (the home page, the downloads) stay while one-off pages come and go.
///
/// An answer is rendered once however many requests for it arrive together: the others wait
/// for that rendering (after a publication every visitor's next page has a new ETag).
actor RenderedAnswers {
    /// How many answers are kept.
    static let capacity = 256
    private var answers: [String: Data] = [:]
    /// Tags from the least to the most recently used.
    private var order: [String] = []
    private var rendering: [String: Task<Data, any Error>] = [:]
    /// The thread pages render on.
    private static let renderer = DispatchQueue(label: "followup.portal.render", qos: .userInitiated)

    subscript(tag: String) -> Data? { answers[tag] }

    /// The answer kept for `tag`, or the one `render` makes (once, whoever else asks meanwhile).
    func answer(_ tag: String, render: @escaping @Sendable () throws -> Data) async throws -> Data {
        if let data = answers[tag] {
            if order.last != tag, let index = order.lastIndex(of: tag) {
                order.remove(at: index)
                order.append(tag)
            }
            return data
        }
        if let running = rendering[tag] { return try await running.value }
        // On the rendering thread, off the actor and the cooperative pool: answers already
        // rendered and `304`s are served while a page renders (the replica reads one at a time).
        let running = Task.detached {
            try await withCheckedThrowingContinuation { continuation in
                Self.renderer.async { continuation.resume(with: Result { try render() }) }
            }
        }
        rendering[tag] = running
        defer { rendering[tag] = nil }
        let data = try await running.value
        keep(data, as: tag)
        return data
    }

    /// Keeps `data` as the answer for `tag`.
    func keep(_ data: Data, as tag: String) {
        if answers.updateValue(data, forKey: tag) == nil { order.append(tag) }
        while order.count > Self.capacity { answers[order.removeFirst()] = nil }
    }
}

/// The ids each filter of the portal's list matches, in order, for one position of the public view.
///
/// Every page of a filter (and its count) reads them instead of searching and sorting every
/// recommendation again. The least recently used filters are forgotten first.
final class FilterMatches: Sendable {
    /// How many filters are kept.
    static let capacity = 128
    private let kept = Mutex<(ids: [String: [String]], order: [String])>(([:], []))

    /// The ids `filter` matches at view position `cursor`, found with `find` when not kept.
    func ids(of filter: RecommendationFilter, at cursor: Int64, find: () throws -> [String]) rethrows -> [String] {
        let key = "\(cursor)|\(filter)"
        let known = kept.withLock { kept -> [String]? in
            guard let ids = kept.ids[key] else { return nil }
            if let index = kept.order.lastIndex(of: key) { kept.order.remove(at: index) }
            kept.order.append(key)
            return ids
        }
        if let known { return known }
        let found = try find()
        kept.withLock { kept in
            if kept.ids.updateValue(found, forKey: key) == nil { kept.order.append(key) }
            while kept.order.count > Self.capacity { kept.ids[kept.order.removeFirst()] = nil }
        }
        return found
    }
}
