import Client
import Foundation
import Logging
import Shared
import Synchronization

/// The desk's last check of the server's audit log (`Replica.verifyAuditWithServer`, what
/// `followup audit verify` runs): when, and what it found; one check at a time.
public final class AuditCheck: Sendable {
    /// What the last check found.
    public struct Outcome: Sendable, Equatable {
        /// When it ended (milliseconds since 1970).
        public var at: Int64
        /// The verification, when the server answered.
        public var verification: AuditVerification?
        /// Why it could not run (the replica's or transport's message).
        public var failure: String?
    }

    private struct State {
        var last: Outcome?
        var running = false
    }

    private let state = Mutex(State())
    private let logger: Logger

    /// A check logging to `logger`.
    public init(logger: Logger = Logger(label: "followup.desk.audit")) {
        self.logger = logger
    }

    /// The outcome of the last check, if any.
    public var last: Outcome? { state.withLock { $0.last } }

    /// Verifies the server's log as `replica` saw it, unless a check is already running (then nil).
    @discardableResult
    public func verify(_ replica: Replica) async -> Outcome? {
        let started = state.withLock { state in
            if state.running { return false }
            state.running = true
            return true
        }
        guard started else { return nil }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var outcome: Outcome
        do {
            let verification = try await replica.verifyAuditWithServer()
            outcome = Outcome(at: now, verification: verification)
            logger.info(
                "desk.audit.verified",
                metadata: [
                    "desk.audit.problems": "\(verification.problems.count)",
                    "desk.audit.tree_size": "\(verification.head.treeSize)",
                ])
        } catch {
            outcome = Outcome(at: now, failure: "\(error)")
            logger.notice("desk.audit.failed", metadata: ["desk.audit.error": "\(error)"])
        }
        state.withLock {
            $0.last = outcome
            $0.running = false
        }
        return outcome
    }
}
