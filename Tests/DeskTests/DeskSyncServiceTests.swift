import Synchronization
import Testing

@testable import Desk

/// The desk's periodic sync, with a sleep that does not wait: what runs, in what order, and that
/// it stops when cancelled.
@Suite("The desk's periodic sync")
struct DeskSyncServiceTests {
    /// What the service did, in order.
    enum Step: Equatable {
        case sync
        case sleep(Duration)
    }

    @Test("it syncs at once, then after every interval, and stops cleanly when the wait is cancelled")
    func syncsEveryInterval() async throws {
        let steps = Mutex<[Step]>([])
        let service = DeskSyncService(
            interval: .seconds(300),
            sleep: { duration in
                let slept = steps.withLock { steps in
                    steps.append(.sleep(duration))
                    return steps.filter { $0 != .sync }.count
                }
                // The desk stops during the third wait.
                if slept == 3 { throw CancellationError() }
            },
            syncOnce: { steps.withLock { $0.append(.sync) } })
        try await service.run()
        #expect(
            steps.withLock { $0 } == [
                .sync, .sleep(.seconds(300)), .sync, .sleep(.seconds(300)), .sync, .sleep(.seconds(300)),
            ])
    }

    @Test("a cancelled task syncs no more")
    func cancelledTaskStops() async throws {
        let syncs = Mutex(0)
        let task = Task {
            try await DeskSyncService(
                interval: .seconds(60),
                sleep: { _ in
                    // Never returns until cancelled, like a long wait.
                    try await Task.sleep(for: .seconds(3600))
                },
                syncOnce: { syncs.withLock { $0 += 1 } }
            ).run()
        }
        while syncs.withLock({ $0 }) == 0 { await Task.yield() }
        task.cancel()
        try await task.value
        #expect(syncs.withLock { $0 } == 1)
    }
}
