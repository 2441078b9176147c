/// One entry of an audience key's feed: a row change that key must hear of.
public struct FeedEntry: Sendable, Equatable {
    /// The feed sequence of the change.
    public var seq: Int64
    /// The row's table.
    public var table: String
    /// The row's id.
    public var row: String
    /// Whether the key sees the row after this change (false: the key must purge it).
    public var visible: Bool

    /// Creates an entry.
    public init(seq: Int64, table: String, row: String, visible: Bool) {
        self.seq = seq
        self.table = table
        self.row = row
        self.visible = visible
    }
}

/// How one row is filed after a change, under one new feed sequence.
public struct FeedFiling: Sendable, Equatable {
    /// The row's table.
    public var table: String
    /// The row's id.
    public var row: String
    /// Keys that must receive the row (filed as seeing it).
    public var seeing: [String]
    /// Keys that lose the row (filed as purges).
    public var losing: [String]

    /// Creates a filing.
    public init(table: String, row: String, seeing: [String], losing: [String]) {
        self.table = table
        self.row = row
        self.seeing = seeing
        self.losing = losing
    }
}

/// What the feed planner reads from the store, in the transaction that records a change.
public protocol FeedFacts: PolicyFacts {
    /// The merged state of row `id` of `table` (deleted or not), or nil when never seen.
    func state(_ table: String, id: String) throws -> RowState?
    /// The keys row `id` of `table` is filed under, each with whether it sees the row now.
    func filing(_ table: String, id: String) throws -> [String: Bool]
    /// The non-null text values of `column` in the rows of `table` (live or deleted) whose
    /// columns hold the given values.
    func values(of column: String, in table: String, where conditions: [String: String]) throws -> [String]
}

/// One page of a viewer's feed, planned from its keys' ranges: which rows to send, at which
/// sequence, and whether a key of the viewer sees each at that sequence.
public struct FeedPagePlan: Sendable, Equatable {
    /// The rows to send, in feed order, each once, at its last sequence in the page.
    public var entries: [FeedEntry]
    /// The last sequence the page covers.
    public var cursor: Int64
    /// Whether more entries follow.
    public var more: Bool
}

/// Which audience keys hear of a change: the changed row's own filing and the rows whose
/// audience depends on it, and how a viewer's page is cut from its keys' ranges.
///
/// Pure: the store answers `FeedFacts` and stores the filings, each under a new sequence.
public struct FeedPlanner: Sendable {
    /// The policy deciding each row's audience (and the schema it governs).
    public var policy: AccessPolicy

    /// Creates a planner.
    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    /// The columns of a table whose change can change who sees other rows.
    ///
    /// A change to any other column (an action's description, an institution's name) re-files only the row
    /// itself. Creating or deleting a row of these tables always counts.
    public static let columnsOthersDependOn: [String: Set<String>] = [
        "assignment": ["recommendation_id", "cluster_id", "institution_id"],
        "cluster_member": ["recommendation_id", "cluster_id"],
        "cluster": [],
        "institution": ["org_id"],
        "action": ["recommendation_id", "cluster_id"],
        "oversight_request": ["institution_id"],
    ]

    /// The filings an accepted change of row `id` of `table` from `before` to `after` causes,
    /// in order: the row itself (every key that sees it hears it again), then each dependent row
    /// whose audience may have changed (only keys gaining or losing it hear).
    ///
    /// Call it after the row's new state is stored, so that the facts describe it.
    public func plan(
        table: String, id: String, before: RowState?, after: RowState, facts: some FeedFacts
    ) throws -> [FeedFiling] {
        guard before != after else { return [] }
        var filings: [FeedFiling] = []
        let own = try filing(table: table, id: id, state: after, valuesChanged: true, facts: facts)
        if let own { filings.append(own.filing) }
        let wasLive = before.map { !$0.isDeleted } ?? false
        let livenessChanged = wasLive == after.isDeleted
        let ownAudienceChanged = own?.audienceChanged ?? false
        for dependent in try dependents(
            table: table, id: id, before: before, after: after, livenessChanged: livenessChanged,
            ownAudienceChanged: ownAudienceChanged, facts: facts)
        {
            if let filing = try filing(
                table: dependent.table, id: dependent.id, state: nil, valuesChanged: false, facts: facts)
            {
                filings.append(filing.filing)
            }
        }
        return filings
    }

    /// How one row is filed under its current audience, or nil when no key must hear of it.
    ///
    /// - Parameters:
    ///   - state: the row's merged state when the caller has it (read from the facts otherwise).
    ///   - valuesChanged: whether the row's values changed (every key that sees it must receive
    ///     it again) or only, perhaps, its audience (only keys gaining or losing it hear).
    public func filing(
        table: String, id: String, state known: RowState?, valuesChanged: Bool, facts: some FeedFacts
    ) throws -> (filing: FeedFiling, audienceChanged: Bool)? {
        guard policy.schema.table(table) != nil, let state = try known ?? facts.state(table, id: id) else {
            return nil
        }
        let seeing = Set(try facts.filing(table, id: id).filter(\.value).keys)
        let audience: Set<String>
        if state.isDeleted {
            // A tombstone keeps the audience the row had, so those who saw it learn of the delete.
            audience = seeing
        } else {
            audience = Set(try policy.audience(table: table, values: state.values, facts: facts).map(\.description))
        }
        let gained = audience.subtracting(seeing)
        let lost = seeing.subtracting(audience)
        let notified = valuesChanged ? audience : gained
        guard !notified.isEmpty || !lost.isEmpty else { return nil }
        return (
            FeedFiling(table: table, row: id, seeing: notified.sorted(), losing: lost.sorted()),
            !gained.isEmpty || !lost.isEmpty
        )
    }

    /// The rows whose audience may change when row `id` of `table` changes from `before` to
    /// `after`, without the row itself and without repeats.
    func dependents(
        table: String, id: String, before: RowState?, after: RowState, livenessChanged: Bool,
        ownAudienceChanged: Bool, facts: some FeedFacts
    ) throws -> [(table: String, id: String)] {
        var recommendations: Set<String> = []
        // Clusters whose own assignments changed: the work covering them may change audience.
        var clusters: Set<String> = []
        var actions: Set<String> = []
        var requests: Set<String> = []
        var result: [(table: String, id: String)] = []
        if let columns = Self.columnsOthersDependOn[table],
            livenessChanged || columns.contains(where: { before?.values[$0] != after.values[$0] })
        {
            func values(_ column: String) -> [String] {
                Set([before?.values[column], after.values[column]].compactMap { AccessPolicy.text($0) }).sorted()
            }
            func members(ofClusters clusters: [String]) throws -> [String] {
                try clusters.flatMap {
                    try facts.values(of: "recommendation_id", in: "cluster_member", where: ["cluster_id": $0])
                }
            }
            switch table {
            case "assignment":
                recommendations.formUnion(values("recommendation_id"))
                recommendations.formUnion(try members(ofClusters: values("cluster_id")))
                clusters.formUnion(values("cluster_id"))
            case "cluster_member":
                recommendations.formUnion(values("recommendation_id"))
            case "cluster":
                recommendations.formUnion(try members(ofClusters: [id]))
                clusters.insert(id)
            case "institution":
                recommendations.formUnion(
                    try facts.values(of: "recommendation_id", in: "assignment", where: ["institution_id": id]))
                let assigned = try facts.values(of: "cluster_id", in: "assignment", where: ["institution_id": id])
                recommendations.formUnion(try members(ofClusters: assigned))
                clusters.formUnion(assigned)
                requests.formUnion(try facts.values(of: "id", in: "oversight_request", where: ["institution_id": id]))
            case "action":
                actions.insert(id)
            case "oversight_request":
                requests.insert(id)
            default:
                break
            }
        }
        for recommendation in recommendations.sorted() {
            for action in try facts.values(of: "id", in: "action", where: ["recommendation_id": recommendation]) {
                result.append(("action", action))
                actions.insert(action)
            }
            for indicator in try facts.values(
                of: "id", in: "indicator", where: ["recommendation_id": recommendation])
            {
                result.append(("indicator", indicator))
            }
        }
        for cluster in clusters.sorted() {
            for action in try facts.values(of: "id", in: "action", where: ["cluster_id": cluster])
            where actions.insert(action).inserted {
                result.append(("action", action))
            }
        }
        for action in actions.sorted() {
            for update in try facts.values(of: "id", in: "progress_update", where: ["action_id": action]) {
                result.append(("progress_update", update))
            }
            for indicator in try facts.values(of: "id", in: "indicator", where: ["action_id": action]) {
                result.append(("indicator", indicator))
            }
        }
        for request in requests.sorted() {
            if request != id || table != "oversight_request" { result.append(("oversight_request", request)) }
            for response in try facts.values(
                of: "id", in: "oversight_response", where: ["oversight_request_id": request])
            {
                result.append(("oversight_response", response))
            }
        }
        // An attachment is read as its parent row: it follows the parent's audience, and falls
        // back to its owner when the parent is deleted.
        var parents = result
        if ownAudienceChanged || livenessChanged { parents.insert((table, id), at: 0) }
        for parent in parents {
            for attachment in try facts.values(
                of: "id", in: "attachment", where: ["parent_id": parent.id, "parent_table": parent.table])
            {
                result.append(("attachment", attachment))
            }
        }
        var seen: Set<String> = [table + "/" + id]
        return result.filter { seen.insert($0.table + "/" + $0.id).inserted }
    }

    /// Cuts a viewer's next page from the ranges of its keys, each read in sequence order after
    /// `cursor` and at most `limit` long.
    ///
    /// Entries of one sequence belong to one row change and are never split across pages; a row
    /// changed twice in the page is sent once, at its last change, as visible when any of the
    /// viewer's keys sees it there.
    public static func page(ranges: [[FeedEntry]], cursor: Int64, limit: Int) -> FeedPagePlan {
        // A full range may stop before others: the page ends where the shortest full range ends.
        var bound = Int64.max
        var entries: [FeedEntry] = []
        for range in ranges {
            if range.count == limit, let last = range.last { bound = min(bound, last.seq) }
            entries += range
        }
        entries.sort { $0.seq < $1.seq }
        var page: [FeedEntry] = []
        var sequences = 0
        var more = bound != Int64.max
        for entry in entries where entry.seq <= bound {
            if let last = page.last, last.seq != entry.seq {
                if sequences >= limit {
                    more = true
                    break
                }
            }
            if page.last?.seq != entry.seq { sequences += 1 }
            page.append(entry)
        }
        var newest: [String: (seq: Int64, visible: Bool)] = [:]
        for entry in page {
            let key = entry.table + "/" + entry.row
            if let known = newest[key], known.seq > entry.seq || (known.seq == entry.seq && known.visible) {
                continue
            }
            newest[key] = (entry.seq, entry.visible)
        }
        var sent: Set<String> = []
        var planned: [FeedEntry] = []
        for entry in page {
            let key = entry.table + "/" + entry.row
            guard let last = newest[key], last.seq == entry.seq, sent.insert(key).inserted else { continue }
            planned.append(FeedEntry(seq: entry.seq, table: entry.table, row: entry.row, visible: last.visible))
        }
        return FeedPagePlan(entries: planned, cursor: max(cursor, page.last?.seq ?? cursor), more: more)
    }

    /// The page's changes cut to about `byteBudget` bytes of JSON, with the cursor and `more`
    /// that go with the cut.
    ///
    /// The first change is always kept, so every row, however large, is sent; the cut falls
    /// only between two sequences, so the next page resumes exactly after the last change sent.
    public static func trimmed(
        _ changes: [RowChange], cursor: Int64, more: Bool, byteBudget: Int
    ) -> (changes: [RowChange], cursor: Int64, more: Bool) {
        var bytes = 0
        for (index, change) in changes.enumerated() {
            bytes += change.estimatedJSONBytes
            guard bytes > byteBudget, index > 0, changes[index - 1].seq < change.seq else { continue }
            return (Array(changes[..<index]), changes[index - 1].seq, true)
        }
        return (changes, cursor, more)
    }
}
