import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// An error answer of the HTTP API: a status and the `{"error": {...}}` body.
///
/// The only place where service errors become HTTP statuses.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The body.
    public var body: ErrorBody
    /// Extra headers, such as `WWW-Authenticate`.
    public var headers: HTTPFields

    /// Creates an error with `code`, the status that code maps to, and `message`.
    public init(_ code: ErrorCode, _ message: String) {
        self.status = Self.status(for: code)
        self.body = ErrorBody(code: code, message: message)
        self.headers = code == .unauthorized ? [.wwwAuthenticate: "Bearer"] : [:]
    }

    /// Maps a service error to its API error.
    public init(_ error: ServiceError) {
        self.init(error.code, error.message)
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
    }

    /// Maps a refused sign-in to its API error: 401, or 429 with `Retry-After`.
    public init(_ refusal: LoginRefusal) {
        self.init(refusal.serviceError)
        if case .throttled(let seconds) = refusal {
            headers[.retryAfter] = String(seconds)
        }
    }

    /// The HTTP status each request-level code is answered with.
    public static func status(for code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .malformedJSON, .malformedRequest: .badRequest
        case .payloadTooLarge, .batchTooLarge, .fileTooLarge: .contentTooLarge
        case .offsetMismatch, .organisationChanged: .conflict
        case .invalidRange: .rangeNotSatisfiable
        case .unsupportedEncoding: .unsupportedMediaType
        case .unauthorized, .invalidCredentials: .unauthorized
        case .accountDisabled: .forbidden
        case .tooManyRequests, .quotaExceeded: .tooManyRequests
        case .notFound: .notFound
        case .internalError: .internalServerError
        default: .unprocessableContent
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? WireCoding.encoder().encode(body)) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error escaping a route into the protocol's JSON error body.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as ServiceError {
            throw APIError(error)
        } catch let error as any HTTPResponseError {
            switch error.status {
            case .notFound: throw APIError(.notFound, "no such endpoint: \(request.method) \(request.uri.path)")
            case .contentTooLarge: throw APIError(.payloadTooLarge, "the request body is too large")
            case .methodNotAllowed:
                throw APIError(.notFound, "\(request.method) is not allowed on \(request.uri.path)")
            default:
                context.logger.error("http.error", metadata: ["http.error.status": "\(error.status.code)"])
                throw APIError(.malformedRequest, "the request was refused (\(error.status.code))")
            }
        } catch {
            context.logger.error("http.internal_error", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalError, "the server failed to answer; nothing was changed by this request")
        }
    }
}
