import Client
import Foundation
import GRDB
import Shared

/// What the public may see, kept in an in-memory replica that pulls from the server's own feed
/// with the public's audience key alone (`public`): the view of a viewer with no organisation,
/// through the same access policy and feed filing as every replica.
///
/// Every page and download of the portal reads this replica and nothing else, so nothing draft,
/// submitted-only or confidential can reach a page, a count, a download or an error.
actor PublicView {
    private let sync: SyncService
    /// The replica of the public's rows (read it only after `refresh()`).
    nonisolated let replica: Replica
    /// The feed position the replica has reached: the version of what the portal shows.
    private(set) var cursor: Int64 = 0
    /// Whether a first page was applied (which also records the deployment's state).
    private var replicaReady = false

    init(sync: SyncService) throws {
        self.sync = sync
        replica = try Replica(writer: try DatabaseQueue())
        try replica.initialise(
            serverURL: "public",
            login: LoginResponse(
                token: "", user: "public", org: Self.organisation, orgKind: Self.organisation,
                replica: UUIDv7.make(), serverTime: 0))
    }

    /// The organisation name the public's replica carries (no organisation has it).
    static let organisation = "public"

    /// Pulls what changed for the public since the last refresh; answers the new cursor.
    @discardableResult
    func refresh() async throws -> Int64 {
        var more = true
        while more {
            let page = try await sync.changes(after: cursor, limit: PullRequest.maxLimit, audience: [.everyone])
            // Nothing new (every request asks): no write to the replica.
            if page.changes.isEmpty && page.cursor <= cursor && replicaReady { return cursor }
            try replica.apply(
                PullResponse(
                    changes: page.changes, cursor: page.cursor, more: page.more, org: Self.organisation,
                    orgKind: Self.organisation, serverTime: 0, state: page.state))
            cursor = max(cursor, page.cursor)
            replicaReady = true
            more = page.more && !page.changes.isEmpty
        }
        return cursor
    }
}
