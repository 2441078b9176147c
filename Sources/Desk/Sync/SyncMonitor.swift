import Client
import Foundation
import Logging
import Synchronization

/// What the desk knows of its replica's syncing: whether the server answered the last attempt,
/// when that was, and what it did; one sync at a time.
public final class SyncMonitor: Sendable {
    /// The outcome of the last attempt.
    public struct Outcome: Sendable, Equatable {
        /// When it ended (milliseconds since 1970).
        public var at: Int64
        /// Whether the server answered and the sync completed.
        public var succeeded: Bool
        /// Edits the server accepted, refused, and rows pulled.
        public var accepted = 0
        /// Edits the server refused.
        public var rejected = 0
        /// Rows pulled.
        public var pulled = 0
        /// Why it failed, when it did (the replica's or transport's message).
        public var failure: String?
    }

    private struct State {
        var last: Outcome?
        var running = false
        var completed = 0
    }

    private let state = Mutex(State())
    private let logger: Logger

    /// A monitor logging to `logger`.
    public init(logger: Logger = Logger(label: "followup.desk.sync")) {
        self.logger = logger
    }

    /// The outcome of the last attempt, if any.
    public var last: Outcome? { state.withLock { $0.last } }

    /// How many syncs completed: what was read from the replica before may have changed since.
    public var completed: Int { state.withLock { $0.completed } }

    /// Pushes then pulls, unless a sync is already running (then nil).
    @discardableResult
    public func sync(_ replica: Replica) async -> Outcome? {
        let started = state.withLock { state in
            if state.running { return false }
            state.running = true
            return true
        }
        guard started else { return nil }
        let now = { Int64(Date().timeIntervalSince1970 * 1000) }
        var outcome: Outcome
        do {
            let result = try await replica.syncWithServer()
            outcome = Outcome(
                at: now(), succeeded: true, accepted: result.report.accepted, rejected: result.report.rejected,
                pulled: result.report.pulled)
            logger.info(
                "desk.sync.done",
                metadata: [
                    "desk.sync.accepted": "\(outcome.accepted)", "desk.sync.rejected": "\(outcome.rejected)",
                    "desk.sync.pulled": "\(outcome.pulled)",
                ])
        } catch {
            outcome = Outcome(at: now(), succeeded: false, failure: "\(error)")
            logger.notice("desk.sync.failed", metadata: ["desk.sync.error": "\(error)"])
        }
        state.withLock {
            $0.last = outcome
            $0.running = false
            if outcome.succeeded { $0.completed += 1 }
        }
        return outcome
    }
}
