import Shared

/// The sync store's primitives held in memory: a second implementation of the seam, with no
/// database, for testing the push decider, the feed planner and the recorder on their own.
public final class MemorySyncStore: SyncStoreWriter {
    /// Merged rows: table -> id -> state.
    public var rows: [String: [String: RowState]] = [:]
    /// The feed: "table/id" -> key -> (sequence, sees the row).
    public var feed: [String: [String: (seq: Int64, visible: Bool)]] = [:]
    /// The log, in order.
    public var log: [SyncOperation] = []
    /// When each operation of the log was received, in milliseconds.
    public var received: [Int64] = []
    /// The last feed sequence handed out.
    public var lastFeedSequence: Int64 = 0
    /// The deployment's State.
    public var state: String?

    /// Creates an empty store.
    public init() {}

    public func loggedOperation(id: String) throws -> LoggedOperation? {
        log.firstIndex { $0.id == id }.map {
            LoggedOperation(seq: Int64($0 + 1), replica: log[$0].replica, operation: log[$0])
        }
    }

    public func state(_ table: String, id: String) throws -> RowState? { rows[table]?[id] }

    public func row(_ table: String, id: String) throws -> [String: FieldValue]? {
        guard let state = rows[table]?[id], !state.isDeleted else { return nil }
        return state.values.filter { $0.value != .null }
    }

    public func rowChanges(_ table: String, ids: [String]) throws -> [String: RowChange] {
        var changes: [String: RowChange] = [:]
        for id in ids {
            guard let state = rows[table]?[id] else { continue }
            changes[id] = RowChange(
                seq: 0, table: table, row: id, kind: .row, fields: state.values,
                versions: state.versions.mapValues(\.description), deleted: state.tombstone?.description)
        }
        return changes
    }

    public func filing(_ table: String, id: String) throws -> [String: Bool] {
        (feed[table + "/" + id] ?? [:]).mapValues(\.visible)
    }

    public func values(of column: String, in table: String, where conditions: [String: String]) throws -> [String] {
        (rows[table] ?? [:]).sorted { $0.key < $1.key }.compactMap { id, state in
            func text(_ name: String) -> String? { name == "id" ? id : AccessPolicy.text(state.values[name]) }
            guard conditions.allSatisfy({ text($0.key) == $0.value }) else { return nil }
            return text(column)
        }
    }

    public func assignedOrganisations(recommendation id: String) throws -> Set<String> {
        let clusters = Set(
            (rows["cluster_member"] ?? [:]).values.filter {
                !$0.isDeleted && AccessPolicy.text($0.values["recommendation_id"]) == id
                    && (try? row("cluster", id: AccessPolicy.text($0.values["cluster_id"]) ?? "")) != nil
            }.compactMap { AccessPolicy.text($0.values["cluster_id"]) })
        return try organisations(assignedWhere: {
            AccessPolicy.text($0["recommendation_id"]) == id
                || AccessPolicy.text($0["cluster_id"]).map(clusters.contains) == true
        })
    }

    public func assignedOrganisations(cluster id: String) throws -> Set<String> {
        guard try row("cluster", id: id) != nil else { return [] }
        return try organisations(assignedWhere: { AccessPolicy.text($0["cluster_id"]) == id })
    }

    /// The organisations of the institutions named by the live assignments that `applies` accepts.
    private func organisations(assignedWhere applies: ([String: FieldValue]) -> Bool) throws -> Set<String> {
        var organisations: Set<String> = []
        for assignment in (rows["assignment"] ?? [:]).values where !assignment.isDeleted {
            guard applies(assignment.values),
                let institution = try row(
                    "institution", id: AccessPolicy.text(assignment.values["institution_id"]) ?? ""),
                let org = AccessPolicy.text(institution["org_id"])
            else { continue }
            organisations.insert(org)
        }
        return organisations
    }

    public func feedRange(audience: String, after cursor: Int64, limit: Int) throws -> [FeedEntry] {
        var entries: [FeedEntry] = []
        for (key, filed) in feed {
            guard let entry = filed[audience], entry.seq > cursor else { continue }
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            entries.append(FeedEntry(seq: entry.seq, table: parts[0], row: parts[1], visible: entry.visible))
        }
        return Array(entries.sorted { $0.seq < $1.seq }.prefix(limit))
    }

    public func deploymentState() throws -> String? { state }

    public func saveRow(_ table: String, id: String, state: RowState) throws {
        rows[table, default: [:]][id] = state
    }

    public func appendToLog(_ operation: SyncOperation, receivedAt: Int64) throws -> Int64 {
        log.append(operation)
        received.append(receivedAt)
        return Int64(log.count)
    }

    public func loggedBytes(org: String, since: Int64) throws -> Int64 {
        zip(log, received).reduce(0) { total, entry in
            entry.0.org == org && entry.1 >= since ? total + Int64(WireJSON.encode(entry.0.fields).utf8.count) : total
        }
    }

    public func nextFeedSequence() throws -> Int64 {
        lastFeedSequence += 1
        return lastFeedSequence
    }

    public func file(_ filing: FeedFiling, seq: Int64) throws {
        let key = filing.table + "/" + filing.row
        for audience in filing.seeing { feed[key, default: [:]][audience] = (seq, true) }
        for audience in filing.losing { feed[key, default: [:]][audience] = (seq, false) }
    }
}
