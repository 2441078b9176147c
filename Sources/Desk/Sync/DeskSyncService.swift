import Client
import ServiceLifecycle

/// Syncs the replica when the desk starts and then every `interval`, while the desk runs; an
/// attempt the server does not answer leaves the edits in the outbox and is tried again next time.
public struct DeskSyncService: Service {
    let replica: Replica
    let monitor: SyncMonitor
    let interval: Duration

    /// A service syncing `replica` every `interval`.
    public init(replica: Replica, monitor: SyncMonitor, interval: Duration) {
        self.replica = replica
        self.monitor = monitor
        self.interval = interval
    }

    /// Runs until the desk shuts down.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await monitor.sync(replica)
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // The desk is stopping.
        }
    }
}
