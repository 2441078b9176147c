import Hummingbird
import Shared

/// The routes of the audit log (protocol §18) and of a row's history, all signed in.
struct AuditRoutes {
    let audit: any AuditLogStore
    let identity: IdentityService

    func add(to router: Router<FollowupRequestContext>) {
        let authenticated = router.group("v1")
            .add(middleware: BearerAuthMiddleware(identity: identity))
            .group(context: AuthenticatedRequestContext.self)
        authenticated.get("audit/head") { _, _ in
            guard let head = try await audit.latestTreeHead() else {
                throw ServiceError(.notFound, "the server has not signed a head yet")
            }
            return head
        }
        authenticated.post("audit/inclusion") { request, context in
            let asked = try await request.decode(as: InclusionRequest.self, context: context)
            // Only this replica's operations: another's are answered missing, as unknown ids are.
            return try await audit.inclusionProofs(asked, replica: context.session.replica)
        }
        authenticated.post("audit/consistency") { request, context in
            try await audit.consistencyProof(try await request.decode(as: ConsistencyRequest.self, context: context))
        }
        authenticated.post("history") { request, context in
            let asked = try await request.decode(as: HistoryRequest.self, context: context)
            let keys = context.session.viewer.audienceKeys.map(\.description)
            // A row the session may not see answers as a row that does not exist.
            guard let entries = try await audit.history(table: asked.table, row: asked.row, keys: keys) else {
                throw ServiceError(.notFound, "there is no \(asked.table) \(asked.row) you may see")
            }
            return HistoryResponse(table: asked.table, row: asked.row, entries: entries)
        }
    }
}
