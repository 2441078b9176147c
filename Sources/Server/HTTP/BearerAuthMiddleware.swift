import Foundation
import Hummingbird
import Logging
import Shared

/// Resolves `Authorization: Bearer <token>` to a session, or answers 401 `unauthorized`.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = FollowupRequestContext

    let identity: IdentityService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "sign in first: the request has no bearer token")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let session = try await identity.session(token: token) else {
            throw APIError(
                .unauthorized, "the session token is not valid (signed out or revoked); sign in again"
            )
        }
        var context = context
        context.session = session
        context.logger[metadataKey: "auth.user"] = .string(session.user)
        context.logger[metadataKey: "auth.replica"] = .string(session.replica)
        return try await next(request, context)
    }
}
