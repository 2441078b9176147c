import Shared

/// The sync endpoints' logic, free of HTTP: batch limits, the clock-skew rule and paging.
///
/// The routes call it after authentication; tests call it directly as an in-process server.
public struct SyncService: Sendable {
    /// Where operations are decided and kept.
    public let storage: any ServerStorage
    /// The server's wall clock.
    public let clock: any WallClock
    /// How far ahead of `clock` an operation may be stamped, in milliseconds.
    public let maxClockSkewMillis: Int64

    /// Creates the service.
    public init(storage: any ServerStorage, clock: any WallClock, maxClockSkewMillis: Int64) {
        self.storage = storage
        self.clock = clock
        self.maxClockSkewMillis = maxClockSkewMillis
    }

    /// Decides every operation of a push for `session`; throws `batch_too_large` for oversized pushes.
    public func push(_ request: PushRequest, session: Session) async throws -> PushResponse {
        guard request.ops.count <= PushRequest.maxOperations else {
            throw ServiceError(
                .batchTooLarge,
                "a push carries at most \(PushRequest.maxOperations) operations; this one has \(request.ops.count)")
        }
        let now = clock.nowMillis()
        let verdicts = try await storage.push(
            request.ops, session: session, now: now, maxSkewMillis: maxClockSkewMillis)
        return PushResponse(verdicts: verdicts, serverTime: now)
    }

    /// The next page of the session's change feed after the request's cursor: only rows its
    /// organisation may see, and purges of rows it no longer may.
    public func pull(_ request: PullRequest, session: Session) async throws -> PullResponse {
        guard request.cursor >= 0 else { throw ServiceError(.malformedRequest, "the cursor cannot be negative") }
        let limit = min(max(request.limit ?? PullRequest.defaultLimit, 1), PullRequest.maxLimit)
        let page = try await storage.changes(after: request.cursor, limit: limit, viewer: session.viewer)
        return PullResponse(
            changes: page.changes, cursor: page.cursor, more: page.more, org: session.org,
            orgKind: session.orgKind.rawValue, serverTime: clock.nowMillis())
    }
}
