import Client
import ServiceLifecycle

/// Syncs the replica when the desk starts and then every `interval`, while the desk runs; an
/// attempt the server does not answer leaves the edits in the outbox and is tried again next time.
public struct DeskSyncService: Service {
    let interval: Duration
    /// One sync (the monitor's, over the replica).
    let syncOnce: @Sendable () async -> Void
    /// Waits `interval` (`Task.sleep`; a test passes one that does not wait).
    let sleep: @Sendable (Duration) async throws -> Void

    /// A service syncing `replica` through `monitor` every `interval`.
    public init(replica: Replica, monitor: SyncMonitor, interval: Duration) {
        self.init(
            interval: interval, sleep: { try await Task.sleep(for: $0) },
            syncOnce: { await monitor.sync(replica) })
    }

    /// A service running `syncOnce` now and after each `sleep(interval)`, until `sleep` throws
    /// (cancelled) or the desk shuts down.
    init(
        interval: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void,
        syncOnce: @escaping @Sendable () async -> Void
    ) {
        self.interval = interval
        self.sleep = sleep
        self.syncOnce = syncOnce
    }

    /// Runs until the desk shuts down.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await syncOnce()
                    try await sleep(interval)
                }
            }
        } catch is CancellationError {
            // The desk is stopping.
        }
    }
}
