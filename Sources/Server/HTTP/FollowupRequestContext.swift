import Hummingbird

/// The request context of the sync API: Hummingbird's core storage plus the caller's session.
public struct FollowupRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated session, set by `BearerAuthMiddleware`.
    public var session: Session?

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.session = nil
    }
}
