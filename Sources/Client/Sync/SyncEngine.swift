import Shared

/// Progress of a running sync, for a terminal display.
public enum SyncProgress: Sendable, Equatable {
    /// `pushed` of `total` pending operations have been decided by the server.
    case pushing(pushed: Int, total: Int)
    /// `pulled` operations applied so far; the cursor reached `cursor`.
    case pulling(pulled: Int, cursor: Int64)
}

/// What one sync did.
public struct SyncReport: Sendable, Equatable {
    /// Operations the server accepted.
    public var accepted = 0
    /// Operations the server refused for good (see `followup status`).
    public var rejected = 0
    /// Operations re-stamped because this replica's clock was ahead of the server's.
    public var restamped = 0
    /// The clock correction applied, in milliseconds (0 when none).
    public var clockCorrectionMillis: Int64 = 0
    /// Rows pulled and merged.
    public var pulled = 0
    /// Rows removed because they left this replica's scope.
    public var purged = 0
    /// Whether the replica dropped its rows and pulled again because the user's organisation changed.
    public var scopeReset = false
    /// Evidence files uploaded before the push.
    public var filesUploaded = 0
    /// Evidence files downloaded after the pull.
    public var filesDownloaded = 0
    /// Evidence files of visible attachments the server did not give (not uploaded whole yet).
    public var filesUnavailable = 0
    /// Confidential edits sealed after the pull brought the keys they waited for.
    public var sealed = 0
    /// Why confidential edits still wait in the outbox, when some do.
    public var sealingBlock: SealingBlock?
    /// Organisations whose current key is not the one pinned here: nothing is sealed to them.
    public var changedKeys: [String] = []
    /// Organisations listed as NHRIs that this replica has not accepted (a second NHRI, an
    /// institution re-pointed to another organisation): nothing is sealed to them until trusted.
    public var unconfirmedRecipients: [String] = []
    /// NHRIs this replica accepted that are no longer listed as NHRIs: still sealed to until the
    /// user forgets them (`followup keys forget ORG`).
    public var unlistedRecipients: [String] = []
    /// Fingerprints of the organisation's published keys whose private key is not on this device
    /// (texts sealed to them open here once the organisation's key file is imported).
    public var ownKeysElsewhere: [String] = []
    /// Pending edits set aside for review (`account_changed`) because the user was moved to
    /// another organisation before they were sent.
    public var setAside = 0
    /// Whether rows removed from the replica may still have bytes in its write-ahead log,
    /// because another program kept reading it; the next sync wipes them.
    public var wipePending = false
}

/// Push then pull, in batches, until the outbox is empty and the cursor has caught up.
///
/// Every step is its own transaction in the replica, so a sync can stop anywhere (crash,
/// lost connection) and the next one resumes: unacknowledged operations stay in the outbox
/// (pushing them twice is harmless) and the cursor only moves with the page it covers.
public struct SyncEngine: Sendable {
    /// The local replica.
    public var replica: Replica
    /// The way to the server.
    public var transport: any SyncTransport
    /// Operations per push.
    public var pushBatchSize = 500
    /// Operations per pull page.
    public var pullPageSize = 1_000

    /// Creates an engine.
    public init(replica: Replica, transport: any SyncTransport) {
        self.replica = replica
        self.transport = transport
    }

    /// Uploads the files pending attachments name, pushes the whole outbox, pulls until caught
    /// up, then downloads the files of visible attachments the replica lacks and removes those
    /// no live attachment names any more.
    public func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        // A wipe an earlier sync could not finish (another program was reading) goes first.
        _ = try replica.retryPendingWipe()
        let uploaded = try await uploadEvidence()
        var report = try await push(progress: progress)
        report.filesUploaded = uploaded
        var pulled = try await pull(progress: progress)
        // Keys: publish the organisation's own when it has none, seal what waited for keys
        // that have now arrived, and send those edits at once.
        let keys = try replica.settleKeys()
        report.sealed = keys.sealed
        report.sealingBlock = keys.block
        report.changedKeys = keys.changed
        report.unconfirmedRecipients = keys.unconfirmedRecipients
        report.unlistedRecipients = keys.unlistedRecipients
        report.ownKeysElsewhere = keys.ownKeysElsewhere
        if keys.published || keys.sealed > 0 {
            // Files sealed just now are uploaded before the attachments naming them.
            report.filesUploaded += try await uploadEvidence()
            let again = try await push(progress: progress)
            report.accepted += again.accepted
            report.rejected += again.rejected
            let more = try await pull(progress: progress)
            pulled = (pulled.pulled + more.pulled, pulled.purged + more.purged, pulled.scopeReset || more.scopeReset)
        }
        report.pulled = pulled.pulled
        report.purged = pulled.purged
        report.scopeReset = pulled.scopeReset
        (report.filesDownloaded, report.filesUnavailable) = try await downloadEvidence()
        try replica.removeUnreferencedEvidence()
        report.wipePending = try replica.wipePending()
        try replica.markSynced()
        return report
    }

    /// Pushes the outbox in batches until it is empty.
    ///
    /// The next batch is sent while the verdicts of the current one are recorded, so the
    /// replica's work overlaps the server's. Verdicts are still recorded batch by batch, in order.
    public func push(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var report = SyncReport()
        let total = try replica.status().pending
        let transport = self.transport
        let limit = pushBatchSize
        let org = try replica.settings().org
        var restamps = 0
        while true {
            var batch = try replica.pendingBatch(after: 0, limit: limit)
            if batch.operations.isEmpty { return report }
            var response: PushResponse
            do {
                response = try await transport.push(encodedOperations: batch.operations, org: org)
            } catch let error as any CodedError where error.code == .organisationChanged {
                // Edits made for the old organisation are never sent with the new one's rights:
                // they wait for review, and the pull that follows takes the new scope.
                report.setAside = try replica.setAsidePending(
                    because: "made for \(org) and never sent; the user now belongs to another organisation")
                return report
            }
            var skewed = false
            while true {
                // After a clock-skew refusal nothing more is sent until the outbox is re-stamped.
                let following =
                    skewed
                    ? PendingBatch(operations: [], last: batch.last)
                    : try replica.pendingBatch(after: batch.last, limit: limit)
                let operations = following.operations
                async let followingResponse: PushResponse? =
                    operations.isEmpty ? nil : transport.push(encodedOperations: operations, org: org)
                let outcome = try replica.record(response.verdicts)
                report.accepted += outcome.accepted
                report.rejected += outcome.rejected
                progress(.pushing(pushed: report.accepted + report.rejected, total: total))
                if outcome.clockSkew > 0 {
                    skewed = true
                } else if outcome.accepted + outcome.rejected == 0 {
                    throw ReplicaError(
                        .noProgress, "the server answered the push without deciding any operation; try again later")
                }
                guard let next = try await followingResponse else { break }
                batch = following
                response = next
            }
            guard skewed else { continue }
            restamps += 1
            guard restamps <= 2 else {
                throw ReplicaError(
                    .clockSkew,
                    "the server keeps refusing this replica's clock; set the computer's date and time correctly")
            }
            let before = try replica.settings().clockOffsetMillis
            report.restamped += try replica.restampPending(serverTime: response.serverTime)
            report.clockCorrectionMillis = try replica.settings().clockOffsetMillis - before
        }
    }

    /// Pulls pages from the cursor until the server has no more.
    ///
    /// The next page is requested while the current one is applied, so the server builds it
    /// while the replica writes. Pages are still applied strictly in order, each with its cursor.
    ///
    /// - Returns: rows merged, rows purged, and whether the scope changed and the replica reset.
    public func pull(
        progress: @Sendable (SyncProgress) -> Void = { _ in }
    ) async throws -> (pulled: Int, purged: Int, scopeReset: Bool) {
        var pulled = 0
        var purged = 0
        var resets = 0
        let transport = self.transport
        let limit = pullPageSize
        var page = try await transport.pull(PullRequest(cursor: try replica.settings().cursor, limit: limit))
        try replica.observeServerTime(page.serverTime)
        while true {
            // A head signed by another key stops the sync before anything of the page is applied.
            if let head = page.head { try replica.observe(head) }
            let cursor = page.cursor
            let more = page.more
            async let following: PullResponse? =
                more ? transport.pull(PullRequest(cursor: cursor, limit: limit)) : nil
            switch try replica.apply(page) {
            case .scopeChanged:
                resets += 1
                _ = try? await following
                guard resets <= 2 else {
                    throw ReplicaError(.scopeUnstable, "the account's organisation keeps changing; try again later")
                }
                page = try await transport.pull(PullRequest(cursor: try replica.settings().cursor, limit: limit))
                continue
            case .applied(let count):
                purged += count
            }
            pulled += page.changes.count(where: { $0.kind == .row })
            progress(.pulling(pulled: pulled, cursor: page.cursor))
            guard let next = try await following else { return (pulled, purged, resets > 0) }
            page = next
        }
    }
}
