import Hummingbird
import HummingbirdAuth
import Logging
import Shared

/// Resolves `Authorization: Bearer <token>` to a session, or answers 401 `unauthorized`.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = FollowupRequestContext

    let identity: IdentityService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let bearer = request.headers.bearer else {
            throw APIError(.unauthorized, "sign in first: the request has no bearer token")
        }
        guard let session = try await identity.session(token: bearer.token) else {
            throw APIError(.unauthorized, "the session token is not valid (signed out or revoked); sign in again")
        }
        var context = context
        context.session = session
        context.logger[metadataKey: "auth.user"] = .string(session.user)
        context.logger[metadataKey: "auth.replica"] = .string(session.replica)
        return try await next(request, context)
    }
}

/// Puts the server's configured limits into each request's decoder.
struct WireLimitsMiddleware: RouterMiddleware {
    typealias Context = FollowupRequestContext

    let limits: WireLimits

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.requestDecoder = WireRequestDecoder(limits: limits)
        return try await next(request, context)
    }
}
