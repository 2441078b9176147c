import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Shared

/// Builds the Followup sync server: used by `followup-server serve` and by the tests.
///
/// - Parameters:
///   - configuration: address, limits, the clock-skew rule and the log level.
///   - storage: where accounts, the operation log and the merged state live.
///   - files: where the bytes of evidence files live.
///   - policy: who sees and writes what (the standard policy of the domain notes).
///   - credentials: password hashing settings.
///   - clock: the server's wall clock (injected so tests can move it).
///   - logger: where the server logs; by default `followup.server` at the configuration's level
///     (tests pass one that keeps the lines).
///   - onServerRunning: called with the bound port once the server listens.
public func buildApplication(
    _ configuration: ServerConfiguration,
    storage: some ServerStorage & AccountStore & AuditLogStore,
    files: any EvidenceStore,
    policy: AccessPolicy = .standard,
    credentials: Credentials = Credentials(),
    clock: any WallClock = SystemWallClock(),
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let logger =
        logger
        ?? {
            var logger = Logger(label: "followup.server")
            logger.logLevel = configuration.logLevel
            return logger
        }()
    let identity = IdentityService(
        storage: storage, credentials: credentials, clock: clock, limits: configuration.sessionLimits)
    let router = Router(context: FollowupRequestContext.self)
    router.add(middleware: APIErrorMiddleware())
    router.add(
        middleware: RequestSetupMiddleware(
            limits: configuration.limits, addresses: ClientAddressRule(trustedProxies: configuration.trustedProxies)))
    let evidence = EvidenceService(files: files, storage: storage, maxFileBytes: configuration.maxFileBytes)
    var sync = SyncService(
        storage: storage, policy: policy, clock: clock, maxClockSkewMillis: configuration.maxClockSkewMillis,
        evidence: evidence)
    sync.dailyQuotaBytes = configuration.dailyQuotaBytes
    SyncRoutes(sync: sync, identity: identity, clock: clock).add(to: router)
    FileRoutes(evidence: evidence, identity: identity).add(to: router)
    AuditRoutes(audit: storage, identity: identity).add(to: router)
    // The public portal reads the public's view of the same feed, no sign-in.
    if let view = try? PublicView(sync: sync) {
        PortalRoutes(view: view, clock: clock).add(to: router)
    } else {
        logger.error("portal.unavailable")
    }
    return Application(
        router: router,
        server: .http1(configuration: http1Configuration(configuration)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "followup-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The HTTP/1.1 channel settings of `configuration`: idle connections are closed after its
/// idle timeout, and connections past its cap as they arrive (one count for every channel).
func http1Configuration(_ configuration: ServerConfiguration) -> HTTP1Channel.Configuration {
    let connections = OpenConnections(limit: configuration.maxConnections)
    return HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionLimitHandler(connections: connections)],
        idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
}
