import Foundation
import Logging
import Shared

/// Settings of one server process.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0 picks a free one).
    public var port: Int
    /// The request sizes accepted and when answers are compressed.
    public var limits: WireLimits
    /// How far ahead of the server's clock an operation's HLC may be, in milliseconds.
    public var maxClockSkewMillis: Int64
    /// The least severe log level written.
    public var logLevel: Logger.Level
    /// How long a connection may stay idle before the server closes it, in seconds.
    public var idleTimeoutSeconds: Int
    /// The most connections open at once; more are closed as they arrive.
    public var maxConnections: Int
    /// How long sessions last.
    public var sessionLimits: SessionLimits
    /// The largest evidence file accepted, in bytes (`--max-file-bytes`).
    public var maxFileBytes: Int64
    /// The bytes of fields each organisation but the secretariat may have accepted per UTC day
    /// (`--daily-quota-mb`; nil: none).
    public var dailyQuotaBytes: Int64?
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`; none by default).
    public var trustedProxies: Set<String> = []

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, limits: WireLimits = WireLimits(),
        maxClockSkewMillis: Int64 = 5 * 60 * 1000, logLevel: Logger.Level = .info,
        idleTimeoutSeconds: Int = 30, maxConnections: Int = 2_000,
        maxFileBytes: Int64 = ContentHash.defaultMaxFileBytes, sessionLimits: SessionLimits = SessionLimits(),
        dailyQuotaBytes: Int64? = 256 * 1024 * 1024
    ) {
        self.dailyQuotaBytes = dailyQuotaBytes
        self.sessionLimits = sessionLimits
        self.maxFileBytes = maxFileBytes
        self.host = host
        self.port = port
        self.limits = limits
        self.maxClockSkewMillis = maxClockSkewMillis
        self.logLevel = logLevel
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
    }

    /// The log level named by the environment variable `LOG_LEVEL` (trace, debug, info, notice,
    /// warning, error, critical), or `fallback`.
    public static func logLevel(fromEnvironment fallback: Logger.Level) -> Logger.Level {
        ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? fallback
    }
}
