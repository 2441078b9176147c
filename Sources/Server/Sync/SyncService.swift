import Shared

/// The sync endpoints' logic, free of HTTP and of SQL: batch limits, the push loop and paging.
///
/// A push runs in write transactions of the storage, one for a small push: `PushDecider`
/// decides every operation in order and `ChangeRecorder` records the accepted ones; a push
/// whose work outlasts `writeSlice` goes on in a new transaction, so that one organisation's
/// large push never holds the single writer for long while others wait. Each pull reads one
/// snapshot: `FeedPlanner` cuts the page from the viewer's keys. The routes call it after
/// authentication; tests call it directly as an in-process server.
public struct SyncService: Sendable {
    /// Where operations are kept.
    public let storage: any ServerStorage
    /// The server's wall clock.
    public let clock: any WallClock
    /// The rules each pushed operation is decided by.
    public let decider: PushDecider
    /// How accepted operations are recorded.
    public let recorder: ChangeRecorder
    /// About the most bytes of JSON one pull page carries; a single larger row is still sent.
    public var pageByteBudget = 8 * 1024 * 1024
    /// The evidence files attachments name.
    public let evidence: EvidenceService
    /// About the longest one write transaction of a push runs before the push goes on in the
    /// next (each transaction decides at least one operation, and commits before the answer).
    public var writeSlice: Duration = .milliseconds(50)
    /// The most bytes of fields an organisation other than the secretariat may have accepted
    /// per UTC day (nil: no quota); a push that would pass it is refused whole with
    /// `quota_exceeded` and changes nothing.
    public var dailyQuotaBytes: Int64?

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - policy: who sees and writes what, over the schema operations may change.
    ///   - maxClockSkewMillis: how far ahead of `clock` an operation may be stamped.
    ///   - evidence: the files attachments name; an attachment is accepted only with its bytes.
    public init(
        storage: any ServerStorage, policy: AccessPolicy, clock: any WallClock, maxClockSkewMillis: Int64,
        evidence: EvidenceService
    ) {
        self.storage = storage
        self.evidence = evidence
        self.clock = clock
        self.decider = PushDecider(schema: policy.schema, policy: policy, maxClockSkewMillis: maxClockSkewMillis)
        self.recorder = ChangeRecorder(planner: FeedPlanner(policy: policy))
    }

    /// Decides every operation of a push for `session`; throws `batch_too_large` for oversized pushes.
    public func push(_ request: PushRequest, session: Session) async throws -> PushResponse {
        guard request.ops.count <= PushRequest.maxOperations else {
            throw ServiceError(
                .batchTooLarge,
                "a push carries at most \(PushRequest.maxOperations) operations; this one has \(request.ops.count)")
        }
        if let org = request.org, org != session.org {
            throw ServiceError(
                .organisationChanged,
                "these edits were made for \(org), but \(session.user) now belongs to \(session.org): nothing was stored; pull to take the new scope, and review the edits"
            )
        }
        // A client that does not say which organisation its edits were made for cannot be told
        // apart from one pushing edits made before its user moved: once a user has moved, it
        // must say (every client built since `org` was added does).
        if request.org == nil, session.userWasMoved {
            throw ServiceError(
                .organisationChanged,
                "\(session.user) was moved to \(session.org), and this push does not say which organisation its edits were made for: nothing was stored; update followup, then sync"
            )
        }
        let now = clock.nowMillis()
        let (decider, recorder) = (self.decider, self.recorder)
        let operations = request.ops
        let files = try evidence.attachedFiles(of: operations, session: session)
        let (slice, quota) = (writeSlice, dailyQuotaBytes)
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(operations.count)
        // Each slice commits before the next starts; every verdict is answered only after all
        // have committed, so an accepted operation is durable whatever happens next.
        while verdicts.count < operations.count {
            let remaining = operations[verdicts.count...]
            let first = verdicts.isEmpty
            verdicts += try await storage.write { store in
                // The quota is read in the transaction that starts recording, not before it.
                if first { try Self.checkQuota(quota, of: operations, session: session, now: now, store: store) }
                let deadline = ContinuousClock.now.advanced(by: slice)
                return try Self.decideAndRecord(
                    remaining, session: session, now: now, decider: decider, recorder: recorder, files: files,
                    store: store, until: { ContinuousClock.now >= deadline })
            }
        }
        return PushResponse(verdicts: verdicts, serverTime: now)
    }

    /// Refuses a push that would take the session's organisation past its daily quota.
    ///
    /// The secretariat has none: it imports whole databases of recommendations. Every
    /// operation of the push counts, refused or not, so the check needs no decision.
    static func checkQuota(
        _ quota: Int64?, of operations: [SyncOperation], session: Session, now: Int64, store: some SyncStoreReader
    ) throws {
        guard let quota, session.orgKind != .secretariat else { return }
        let day: Int64 = 86_400_000
        let today = now - now % day
        let incoming = operations.reduce(Int64(0)) { $0 + Int64(WireJSON.encode($1.fields).utf8.count) }
        let org = session.org
        let used = try store.loggedBytes(org: org, since: today)
        guard used + incoming > quota else { return }
        let seconds = Int((today + day - now + 999) / 1000)
        throw ServiceError(
            .quotaExceeded,
            "\(org) has had \(used) bytes accepted today; this push of \(incoming) more would pass its daily quota of \(quota) bytes. Nothing was stored: the edits wait in the outbox; try again after midnight UTC (in \(seconds) s) or ask the operator",
            retryAfterSeconds: seconds)
    }

    /// The push loop: decides each operation against the state its predecessors left, in order,
    /// until `stop` answers true after one (at least one is decided).
    ///
    /// An attachment the decider accepts is refused after all when its file's bytes are
    /// missing or too large (`AttachedFiles.refusal`), before anything is recorded.
    ///
    /// - Returns: the verdicts of the operations decided, in order: a prefix of `operations`.
    static func decideAndRecord(
        _ operations: ArraySlice<SyncOperation>, session: Session, now: Int64, decider: PushDecider,
        recorder: ChangeRecorder, files: AttachedFiles, store: some SyncStoreWriter, until stop: () -> Bool
    ) throws -> [Verdict] {
        let keys = session.viewer.audienceKeys.map(\.description)
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(operations.count)
        for operation in operations {
            if !verdicts.isEmpty, stop() { break }
            var decision: PushDecision
            var before: RowState?
            switch decider.check(
                operation, logged: try store.loggedOperation(id: operation.id), session: session, now: now)
            {
            case .decided(let early):
                decision = early
            case .needsRow(let checked, let table):
                before = try store.state(table.name, id: checked.row)
                let filing = before == nil ? [:] : try store.filing(table.name, id: checked.row)
                decision = try decider.decide(
                    checked, table: table, existing: before, visible: keys.contains { filing[$0] == true },
                    session: session, facts: store)
            }
            if case .accept(let stamped) = decision,
                let refusal = try files.refusal(of: stamped, keys: keys, in: store)
            {
                decision = .reject(refusal, withCurrentRow: true)
            }
            switch decision {
            case .accept(let stamped):
                let seq = try recorder.record(stamped, over: before, receivedAt: now, in: store)
                verdicts.append(.accepted(operation.id, seq: seq))
            case .alreadyAccepted(let seq):
                verdicts.append(.accepted(operation.id, seq: seq))
            case .reject(let rejection, let withCurrentRow):
                // The replica restores the row from this, so it never keeps a refused value.
                let current =
                    withCurrentRow
                    ? try ChangeRecorder.currentRow(operation.table, id: operation.row, keys: keys, in: store) : nil
                verdicts.append(.rejected(operation.id, rejection, current: current))
            }
        }
        return verdicts
    }

    /// The next page of the session's change feed after the request's cursor: only rows its
    /// organisation may see, and purges of rows it no longer may.
    public func pull(_ request: PullRequest, session: Session) async throws -> PullResponse {
        guard request.cursor >= 0 else { throw ServiceError(.malformedRequest, "the cursor cannot be negative") }
        let limit = min(max(request.limit ?? PullRequest.defaultLimit, 1), PullRequest.maxLimit)
        let page = try await changes(after: request.cursor, limit: limit, viewer: session.viewer)
        return PullResponse(
            changes: page.changes, cursor: page.cursor, more: page.more, org: session.org,
            orgKind: session.orgKind.rawValue, serverTime: clock.nowMillis(), state: page.state, head: page.head)
    }

    /// The changes in `viewer`'s scope after feed sequence `cursor`, at most `limit` of them.
    public func changes(after cursor: Int64, limit: Int, viewer: Viewer) async throws -> ChangePage {
        try await changes(after: cursor, limit: limit, audience: viewer.audienceKeys)
    }

    /// The changes filed under `audience` after feed sequence `cursor`, at most `limit` of them.
    ///
    /// With `[.everyone]` alone, the public's view: a viewer with no organisation (the portal).
    public func changes(after cursor: Int64, limit: Int, audience: [AudienceKey]) async throws -> ChangePage {
        try await storage.read { store in
            let keys = audience.map(\.description)
            // One ordered range per key, merged by the planner: a pull reads only its own keys' entries.
            let plan = FeedPlanner.page(
                ranges: try keys.map { try store.feedRange(audience: $0, after: cursor, limit: limit) },
                cursor: cursor, limit: limit)
            // Rows a key of the viewer sees at their last change in the page are read together.
            var seen: [String: [String: RowChange]] = [:]
            for (table, entries) in Dictionary(grouping: plan.entries.filter(\.visible), by: \.table) {
                seen[table] = try store.rowChanges(table, ids: entries.map(\.row))
            }
            var changes: [RowChange] = []
            changes.reserveCapacity(plan.entries.count)
            for entry in plan.entries {
                // Otherwise the row is sent as it is now: whole if another key still sees it,
                // and as a purge if it left the scope.
                var change =
                    try seen[entry.table]?[entry.row]
                    ?? ChangeRecorder.currentRow(entry.table, id: entry.row, keys: keys, in: store)
                change.seq = entry.seq
                changes.append(change)
            }
            // A page of large rows is cut short: a few rows of 100 kB texts each must not make
            // one answer of hundreds of megabytes.
            let page = FeedPlanner.trimmed(changes, cursor: plan.cursor, more: plan.more, byteBudget: pageByteBudget)
            return ChangePage(
                changes: page.changes, cursor: page.cursor, more: page.more, state: try store.deploymentState(),
                head: try store.latestTreeHead())
        }
    }
}
