/// What a store answers inside one read transaction: the primitives the sync core reads.
///
/// Every call sees the same snapshot (inside a write transaction, the transaction's own
/// writes). Implementations hold queries, not rules: deciding, planning and paging are done by
/// `PushDecider`, `FeedPlanner` and the server's `SyncService` over these primitives.
public protocol SyncStoreReader: FeedFacts {
    /// The log's entry with operation id `id`, if any.
    func loggedOperation(id: String) throws -> LoggedOperation?
    /// Rows `ids` of `table` that were ever seen, as a pull sends them (sequence 0), by id.
    func rowChanges(_ table: String, ids: [String]) throws -> [String: RowChange]
    /// The entries of audience key `audience` with a sequence above `cursor`, in sequence order,
    /// at most `limit`.
    func feedRange(audience: String, after cursor: Int64, limit: Int) throws -> [FeedEntry]
    /// The State the deployment follows up (ISO 3166 alpha-3), if the operator named one.
    func deploymentState() throws -> String?
    /// The bytes of the fields (as the log stores them, `WireJSON.encode`) of the operations
    /// of organisation `org` accepted at or after `since` (milliseconds).
    func loggedBytes(org: String, since: Int64) throws -> Int64
}

/// What a store does inside one write transaction: the primitives the sync core writes with.
///
/// The feed's sequences must become visible to readers in order: once a reader can see an
/// entry with sequence s, every entry with a lower sequence that will ever exist is visible
/// too (`protocol/README.md`, "What the feed sequence requires of the store"). A store with a
/// single writer (SQLite) gets this for free; one with concurrent writers must serialise
/// `nextFeedSequence` with commit.
public protocol SyncStoreWriter: SyncStoreReader {
    /// Stores `state` as the merged state of row `id` of `table`.
    func saveRow(_ table: String, id: String, state: RowState) throws
    /// Appends an accepted, stamped operation to the log; returns its log sequence.
    func appendToLog(_ operation: SyncOperation, receivedAt: Int64) throws -> Int64
    /// Reserves the next feed sequence.
    func nextFeedSequence() throws -> Int64
    /// Files a row under `filing`'s keys with sequence `seq`, replacing each key's earlier entry.
    func file(_ filing: FeedFiling, seq: Int64) throws
}

/// Records accepted operations: merges them into their rows, files the feed and logs them.
///
/// The one way an accepted change enters the server's state, for pushed operations and for
/// the rows the operator writes alike.
public struct ChangeRecorder: Sendable {
    /// Plans the feed entries of each change.
    public var planner: FeedPlanner

    /// Creates a recorder.
    public init(planner: FeedPlanner) {
        self.planner = planner
    }

    /// Merges `operation` into `before` (the row's state, just read in this transaction), stores
    /// the result, files the row and its dependents, and appends the operation to the log.
    ///
    /// - Returns: the operation's log sequence.
    public func record(
        _ operation: SyncOperation, over before: RowState?, receivedAt: Int64, in store: some SyncStoreWriter
    ) throws -> Int64 {
        guard let table = planner.policy.schema.table(operation.table) else {
            throw Rejection(.unknownTable, "there is no table '\(operation.table)'")
        }
        var normalised = operation
        normalised.fields = table.normalised(operation.fields)
        let after = Merge.apply(normalised, to: before)
        if after != before {
            try store.saveRow(table.name, id: operation.row, state: after)
        }
        for filing in try planner.plan(table: table.name, id: operation.row, before: before, after: after, facts: store)
        {
            try store.file(filing, seq: try store.nextFeedSequence())
        }
        return try store.appendToLog(operation, receivedAt: receivedAt)
    }

    /// The row as a viewer holding `keys` may see it now: whole, or as a purge (sequence 0).
    public static func currentRow(
        _ table: String, id: String, keys: [String], in store: some SyncStoreReader
    ) throws -> RowChange {
        let filing = try store.filing(table, id: id)
        if keys.contains(where: { filing[$0] == true }), let change = try store.rowChanges(table, ids: [id])[id] {
            return change
        }
        return RowChange(seq: 0, table: table, row: id, kind: .purge)
    }
}
