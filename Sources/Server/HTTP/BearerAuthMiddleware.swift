import Foundation
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
        // hummingbird-auth reads "Bearer <token>"; the scheme's name is case-insensitive and spaces
        // around the token are ignored (protocol §3), so any other spelling is read too, as before.
        guard
            let token = request.headers.bearer.map({ $0.token.trimmingCharacters(in: .whitespaces) })
                ?? Self.token(anyCase: request.headers[.authorization])
        else {
            throw APIError(.unauthorized, "sign in first: the request has no bearer token")
        }
        guard let session = try await identity.session(token: token) else {
            throw APIError(.unauthorized, "the session token is not valid (signed out or revoked); sign in again")
        }
        var context = context
        context.session = session
        context.tokenHash = Credentials.tokenHash(token)
        context.logger[metadataKey: "auth.user"] = .string(session.user)
        context.logger[metadataKey: "auth.replica"] = .string(session.replica)
        return try await next(request, context)
    }

    /// The token of an `Authorization` value whose scheme is "bearer" in any case.
    static func token(anyCase header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }
}
