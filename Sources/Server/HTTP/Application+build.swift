import Hummingbird
import Logging
import NIOCore
import Shared

/// Builds the Followup sync server: used by `followup-server serve` and by the tests.
///
/// - Parameters:
///   - configuration: address, limits and the clock-skew rule.
///   - storage: where identities, the operation log and the merged state live.
///   - credentials: password hashing settings.
///   - clock: the server's wall clock (injected so tests can move it).
///   - onServerRunning: called with the bound port once the server listens.
public func buildApplication(
    _ configuration: ServerConfiguration,
    storage: any ServerStorage,
    credentials: Credentials = Credentials(),
    clock: any WallClock = SystemWallClock(),
    logger: Logger = Logger(label: "followup.server"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let identity = IdentityService(storage: storage, credentials: credentials, clock: clock)
    let router = Router(context: FollowupRequestContext.self)
    router.add(middleware: APIErrorMiddleware())
    let sync = SyncService(storage: storage, clock: clock, maxClockSkewMillis: configuration.maxClockSkewMillis)
    SyncRoutes(sync: sync, identity: identity, configuration: configuration, clock: clock).add(to: router)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "followup-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
