import Client
import Foundation
import Hummingbird
import Shared

extension DeskPages {
    /// The sync page: the state, the last attempt, and the edits the server refused with its reasons.
    func syncPage(_ request: Request, context: DeskRequestContext) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let refused = try replica.rejectedOperations().map { entry -> [String: Any] in
            let operation = entry.operation
            let fields = operation.fields.filter { !$0.key.hasSuffix("_id") }.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value.description)" }.joined(separator: "; ")
            return [
                "operation": operation.id, "kind": catalog["table_" + operation.table],
                "change": operation.kind == .delete ? catalog["refused_delete"] : fields,
                "reason": entry.message, "code": entry.code.rawValue,
            ]
        }
        var values: [String: Any] = ["refused": refused]
        if let last = monitor.last {
            values["last"] =
                last.succeeded
                ? catalog.text(
                    "sync_result",
                    [
                        "accepted": catalog.number(last.accepted), "rejected": catalog.number(last.rejected),
                        "pulled": catalog.number(last.pulled), "when": catalog.moment(millis: last.at),
                    ])
                : catalog.text("sync_failed", ["when": catalog.moment(millis: last.at), "reason": last.failure ?? ""])
        }
        return try page("sync", title: catalog["sync_title"], request: request, context: context, values: values)
    }

    /// The dashboards of the rows the replica holds (the Client library's charts, with their
    /// numbers as tables), in the desk's language.
    func dashboards(_ request: Request, context: DeskRequestContext) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let dashboard = try replica.dashboard(try ReportCatalog(language: catalog.language))
        return try page(
            "dashboards", title: catalog["dashboards_title"], request: request, context: context,
            values: ["charts": dashboard.html()])
    }

    /// Syncs now, then shows the sync page.
    func syncNow(_ request: Request, context: DeskRequestContext) async throws -> Response {
        await monitor.sync(replica)
        return .redirect(to: "/sync", type: .normal)
    }

    /// Discards a refused edit for good, or records it again to be sent at the next sync.
    func settleRefused(_ request: Request, context: DeskRequestContext) throws -> Response {
        guard let operation = context.form["operation"] else { throw DeskError(.badForm) }
        do {
            switch context.form["decision"] {
            case "discard": try replica.discardRejected(operation)
            case "reapply": try replica.reapplyRejected(operation)
            default: throw DeskError(.badForm)
            }
        } catch let error as ReplicaError where error.code == .notFound {
            throw DeskError(.notFound)
        }
        return .redirect(to: "/sync?notice=notice_settled", type: .normal)
    }

    /// Remembers the user's language in a cookie and returns to the page they were on.
    func chooseLanguage(_ request: Request, context: DeskRequestContext) throws -> Response {
        guard let language = context.form["language"], Catalog.languages.contains(language) else {
            throw DeskError(.badForm)
        }
        var response = Response.redirect(to: Self.localPath(context.form["return"]), type: .normal)
        response.setCookie(
            Cookie(
                name: DeskGuardMiddleware.languageCookie, value: language, maxAge: 365 * 24 * 3600, path: "/",
                httpOnly: true, sameSite: .strict))
        return response
    }
}
