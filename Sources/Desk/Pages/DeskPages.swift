import Client
import Foundation
import Hummingbird
import Shared

/// What every page handler needs: the replica, the templates and catalogs, the sync monitor;
/// and the frame every page shares (the header, the language choice, the sync bar).
struct DeskPages: Sendable {
    let replica: Replica
    let renderer: PageRenderer
    let monitor: SyncMonitor
    /// The largest evidence file a form may post.
    var maxFileBytes = DeskConfiguration.defaultMaxFileBytes
    let facets = FacetCache()
    /// The desk's last check of the server's audit log.
    var audit = AuditCheck()

    /// Renders `template` inside the frame, with the values every page shares added to `values`.
    func page(
        _ template: String, title: String, request: Request, context: DeskRequestContext,
        values: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let settings = try replica.settings()
        let replicaStatus = try replica.status()
        var frame: [String: Any] = [
            "lang": catalog.language, "dir": catalog.direction, "title": title, "csrf": context.csrfToken,
            "t": catalog.strings, "user": settings.userName,
            "organisation": organisationName(settings.org),
            "organisationKind": catalog["kind_" + settings.orgKind],
            "here": request.uri.description,
            "languages": Catalog.languages.map { code -> [String: Any] in
                ["code": code, "name": renderer.catalog(code)["language_name"], "selected": code == catalog.language]
            },
            "sync": syncBar(replicaStatus, catalog: catalog),
        ]
        if let notice = request.uri.queryParameters["notice"].map(String.init), catalog.strings[notice] != nil {
            frame["notice"] = catalog[notice]
        }
        frame.merge(values) { $1 }
        return HTML(body: renderer.render(template, frame), status: status)
    }

    /// The sync state every page shows: pending edits, refused edits, last sync, offline.
    private func syncBar(_ status: ReplicaStatus, catalog: Catalog) -> [String: Any] {
        var bar: [String: Any] = [
            "pending": catalog.text("sync_pending", ["count": catalog.number(status.pending)]),
            "lastSync": status.lastSyncAt.map { catalog.text("sync_last", ["when": catalog.moment(millis: $0)]) }
                ?? catalog["sync_never"],
        ]
        if status.rejected > 0 {
            bar["rejected"] = catalog.text("sync_rejected", ["count": catalog.number(status.rejected)])
        }
        if let last = monitor.last, !last.succeeded { bar["offline"] = catalog["sync_offline"] }
        if !status.signedIn { bar["signedOut"] = catalog["sync_signed_out"] }
        return bar
    }

    /// The name of the institution of organisation `org`, or the id itself.
    func organisationName(_ org: String) -> String {
        (try? replica.institutions().first { $0.org == org }?.name) ?? org
    }

    /// The names of the organisations' institutions, by organisation id.
    func organisationNames() -> [String: String] {
        Dictionary(
            ((try? replica.institutions()) ?? []).compactMap { choice in choice.org.map { ($0, choice.name) } }
        ) { first, _ in first }
    }

    /// The names of the institutions by row id.
    func institutionNames() throws -> [String: String] {
        Dictionary(try replica.institutions().map { ($0.id, $0.name) }) { first, _ in first }
    }

    /// A recommendation's text cut to a list's length.
    static func excerpt(_ text: String, length: Int = 220) -> String {
        text.count <= length ? text : String(text.prefix(length)) + "…"
    }

    /// The words of a workflow move's button: taking a row out of publication is a withdrawal,
    /// not a submission, whatever state it goes back to.
    static func moveLabel(to state: String, from current: String?, catalog: Catalog) -> String {
        current == "published" && state != "published" ? catalog["move_unpublish"] : catalog["move_" + state]
    }

    /// A work item as lists show it, with the workflow moves this organisation may make.
    func itemView(_ item: WorkItem, catalog: Catalog, names: [String: String], returnTo: String) -> [String: Any] {
        var view: [String: Any] = [
            "summary": Self.excerpt(item.summary), "kind": catalog["table_" + item.table],
            "state": catalog["state_" + item.state], "stateCode": item.state, "row": item.id,
            "table": item.table, "return": returnTo, "answers": [[String: Any]](),
            "moves": ((try? replica.allowedMoves(item.table, id: item.id)) ?? []).map { state in
                ["state": state, "label": Self.moveLabel(to: state, from: item.state, catalog: catalog)]
            },
        ]
        if let recommendation = item.recommendation { view["recommendation"] = recommendation }
        if let due = item.due { view["due"] = catalog.text("due_on", ["date": catalog.date(due)]) }
        if item.confidential { view["confidential"] = catalog["confidential"] }
        if let institution = item.institution, let name = names[institution] { view["institution"] = name }
        return view
    }
}
