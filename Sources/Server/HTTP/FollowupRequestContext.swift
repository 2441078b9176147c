import Hummingbird
import NIOCore
import Shared

/// The request context of the API: Hummingbird's core storage, the wire codec, and the caller's
/// session once `BearerAuthMiddleware` has found it.
public struct FollowupRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The address of the connected client (nil in router tests).
    public var remoteAddress: SocketAddress?
    /// The caller's address as `ClientAddressRule` finds it (the peer, or behind a trusted
    /// proxy the address it forwarded for); "unknown" in router tests.
    public var clientAddress: String
    /// The session behind the bearer token, set by `BearerAuthMiddleware` (nil before it runs).
    public var session: Session?
    /// The SHA-256 of the bearer token, set with `session`.
    public var tokenHash: String?
    /// Reads request bodies as protocol messages, within the configured limits.
    public var requestDecoder: WireRequestDecoder
    /// Writes protocol messages, gzip-compressed when the client accepts it.
    public var responseEncoder: WireResponseEncoder { WireResponseEncoder(limits: requestDecoder.limits) }

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.session = nil
        self.tokenHash = nil
        self.requestDecoder = WireRequestDecoder(limits: WireLimits())
    }
}

/// The context of the routes that need a signed-in caller: its session is never missing.
public struct AuthenticatedRequestContext: ChildRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated session.
    public let session: Session
    /// The SHA-256 of the bearer token.
    public let tokenHash: String?
    /// The caller's address (see `FollowupRequestContext.clientAddress`).
    public var clientAddress: String
    /// Reads request bodies as protocol messages, within the configured limits.
    public var requestDecoder: WireRequestDecoder
    /// Writes protocol messages, gzip-compressed when the client accepts it.
    public var responseEncoder: WireResponseEncoder { WireResponseEncoder(limits: requestDecoder.limits) }

    /// Takes the session `BearerAuthMiddleware` found; answers 401 `unauthorized` without one.
    public init(context: FollowupRequestContext) throws {
        guard let session = context.session else { throw APIError(.unauthorized, "sign in first") }
        self.coreContext = context.coreContext
        self.session = session
        self.tokenHash = context.tokenHash
        self.clientAddress = context.clientAddress
        self.requestDecoder = context.requestDecoder
    }
}
