import Shared
import TestSupport
import Testing

/// The push decider, the feed planner and the recorder, run over `MemorySyncStore`: no database.
@Suite("The sync core without a database")
struct SyncCoreTests {
    static let now: Int64 = 1_800_000_000_000
    let decider = PushDecider(schema: .current, policy: .standard, maxClockSkewMillis: 60_000)
    let recorder = ChangeRecorder(planner: FeedPlanner(policy: .standard))
    let secretariat = Session(user: "sara", org: "nmirf", orgKind: .secretariat, replica: UUIDv7.make(millis: now))
    let ministry = Session(user: "malik", org: "moj", orgKind: .ministry, replica: UUIDv7.make(millis: now))
    let server = UUIDv7.make(millis: now)

    /// Counts HLC stamps so every operation is newer than the one before.
    final class Stamps {
        var logical: UInt16 = 0
        func next() -> HLCTimestamp {
            logical += 1
            return HLCTimestamp(physical: SyncCoreTests.now, logical: logical)
        }
    }
    let stamps = Stamps()

    func operation(
        _ table: String, _ row: String, _ fields: [String: FieldValue], by session: Session,
        kind: SyncOperation.Kind = .upsert
    ) -> SyncOperation {
        SyncOperation(
            id: UUIDv7.make(millis: Self.now), table: table, row: row, kind: kind, fields: fields,
            hlc: stamps.next(), replica: session.replica)
    }

    /// Decides and records one operation as the server's push loop does.
    @discardableResult
    func push(_ operation: SyncOperation, as session: Session, into store: MemorySyncStore) throws -> PushDecision {
        switch decider.check(
            operation, logged: try store.loggedOperation(id: operation.id), session: session, now: Self.now)
        {
        case .decided(let decision):
            return decision
        case .needsRow(let checked, let table):
            let before = try store.state(table.name, id: checked.row)
            let keys = session.viewer.audienceKeys.map(\.description)
            let filing = try store.filing(table.name, id: checked.row)
            let decision = try decider.decide(
                checked, table: table, existing: before, visible: keys.contains { filing[$0] == true },
                session: session, facts: store)
            if case .accept(let stamped) = decision {
                _ = try recorder.record(stamped, over: before, receivedAt: Self.now, in: store)
            }
            return decision
        }
    }

    /// Writes a row as the operator does (no decision), returning its id.
    @discardableResult
    func operatorRow(_ table: String, _ fields: [String: FieldValue], into store: MemorySyncStore) throws -> String {
        let id = UUIDv7.make(millis: Self.now)
        var stamped = SyncOperation(
            id: UUIDv7.make(millis: Self.now), table: table, row: id, kind: .upsert,
            fields: fields.merging(["owner_org": .text("_operator"), "created_by": .text("_operator")]) { $1 },
            hlc: stamps.next(), replica: server)
        stamped.author = "_operator"
        stamped.org = "_operator"
        _ = try recorder.record(stamped, over: nil, receivedAt: Self.now, in: store)
        return id
    }

    @Test("a re-sent operation gets its first verdict again; another replica's copy is refused as forged")
    func resent() throws {
        let store = MemorySyncStore()
        let create = operation(
            "recommendation", UUIDv7.make(millis: Self.now), ["text": .text("Ratify OPCAT")], by: secretariat)
        guard case .accept = try push(create, as: secretariat, into: store) else {
            Issue.record("the secretariat's recommendation was refused")
            return
        }
        #expect(try push(create, as: secretariat, into: store) == .alreadyAccepted(seq: 1))
        guard case .reject(let rejection, let withRow) = try push(create, as: ministry, into: store) else {
            Issue.record("a copy from another replica was accepted")
            return
        }
        #expect(rejection.code == .forgedReplica)
        #expect(!withRow)
        #expect(store.log.count == 1)
    }

    @Test("an operation id sent again with other content is refused as reused, and nothing is stored")
    func reusedID() throws {
        let store = MemorySyncStore()
        let create = operation(
            "recommendation", UUIDv7.make(millis: Self.now), ["text": .text("Ratify OPCAT")], by: secretariat)
        guard case .accept = try push(create, as: secretariat, into: store) else {
            Issue.record("the secretariat's recommendation was refused")
            return
        }
        var otherText = create
        otherText.fields["text"] = .text("Withdraw the reservation")
        var otherRow = create
        otherRow.row = UUIDv7.make(millis: Self.now)
        var laterClock = create
        laterClock.hlc = HLCTimestamp(physical: create.hlc.physical + 1)
        var extraField = create
        extraField.fields["paragraph"] = .text("12.3")
        for replay in [otherText, otherRow, laterClock, extraField] {
            guard case .reject(let rejection, let withRow) = try push(replay, as: secretariat, into: store) else {
                Issue.record("a reused id with other content was accepted: \(replay.fields)")
                continue
            }
            #expect(rejection.code == .operationReused)
            #expect(!withRow)
        }
        #expect(try push(create, as: secretariat, into: store) == .alreadyAccepted(seq: 1))
        #expect(store.log.count == 1)
        #expect(store.rows["recommendation"]?[create.row]?.values["text"] == .text("Ratify OPCAT"))
    }

    @Test("clock skew and unknown tables are refused before any row is read; only rows that exist are sent back")
    func earlyRefusals() throws {
        var ahead = operation("recommendation", UUIDv7.make(millis: Self.now), ["text": .text("x")], by: secretariat)
        ahead.hlc = HLCTimestamp(physical: Self.now + 61_000)
        #expect(
            decider.check(ahead, logged: nil, session: secretariat, now: Self.now)
                == .decided(
                    .reject(
                        Rejection(
                            .clockSkew,
                            "operation \(ahead.id) is stamped 61000 ms ahead of the server's clock (the limit is 60000 ms); correct the device clock or re-stamp from server_time"
                        ), withCurrentRow: false)))
        let unknown = operation("no_such_table", UUIDv7.make(millis: Self.now), ["text": .text("x")], by: secretariat)
        guard
            case .decided(.reject(let rejection, let withRow)) = decider.check(
                unknown, logged: nil, session: secretariat, now: Self.now)
        else {
            Issue.record("an unknown table got past the first checks")
            return
        }
        #expect(rejection.code == .unknownTable)
        #expect(!withRow)
        var forged = operation("recommendation", UUIDv7.make(millis: Self.now), ["text": .text("x")], by: secretariat)
        forged.replica = ministry.replica
        guard
            case .decided(.reject(let refusal, let sendsRow)) = decider.check(
                forged, logged: nil, session: secretariat, now: Self.now)
        else {
            Issue.record("an operation naming another replica got past the first checks")
            return
        }
        #expect(refusal.code == .forgedReplica)
        #expect(sendsRow)
    }

    @Test("a new row is stamped from the session, and a row the session cannot see is refused without describing it")
    func stampingAndHiddenRows() throws {
        let store = MemorySyncStore()
        let recommendation = UUIDv7.make(millis: Self.now)
        guard
            case .accept(let stamped) = try push(
                operation("recommendation", recommendation, ["text": .text("Ratify OPCAT")], by: secretariat),
                as: secretariat, into: store)
        else {
            Issue.record("the secretariat's recommendation was refused")
            return
        }
        #expect(stamped.fields["owner_org"] == .text("nmirf"))
        #expect(stamped.fields["created_by"] == .text("sara"))
        #expect(stamped.author == "sara" && stamped.org == "nmirf")
        let action = UUIDv7.make(millis: Self.now)
        try push(
            operation(
                "action", action, ["title": .text("Draft"), "recommendation_id": .text(recommendation)], by: secretariat
            ),
            as: secretariat, into: store)
        let edit = operation("action", action, ["title": .text("Mine now")], by: ministry)
        guard
            case .needsRow(let checked, let table) = decider.check(edit, logged: nil, session: ministry, now: Self.now)
        else {
            Issue.record("a well-formed edit was decided without its row")
            return
        }
        let decision = try decider.decide(
            checked, table: table, existing: try store.state("action", id: action), visible: false, session: ministry,
            facts: store)
        guard case .reject(let rejection, true) = decision else {
            Issue.record("an edit of a hidden row was not refused with the row as the ministry may see it")
            return
        }
        #expect(rejection.code == .forbidden)
        #expect(rejection.message.contains("not among the rows it may see"))
        #expect(!rejection.message.contains("Draft"))
    }

    @Test("an edit no audience depends on re-files the row alone; moving an action re-files its updates")
    func refilesOnlyWhatAudiencesDependOn() throws {
        let store = MemorySyncStore()
        let justice = try operatorRow(
            "institution", ["name": .text("MoJ"), "kind": .text("ministry"), "org_id": .text("moj")], into: store)
        let finance = try operatorRow(
            "institution", ["name": .text("MoF"), "kind": .text("ministry"), "org_id": .text("mof")], into: store)
        let first = UUIDv7.make(millis: Self.now)
        let second = UUIDv7.make(millis: Self.now)
        for (recommendation, institution) in [(first, justice), (second, finance)] {
            try push(
                operation("recommendation", recommendation, ["text": .text("r")], by: secretariat), as: secretariat,
                into: store)
            try push(
                operation(
                    "assignment", UUIDv7.make(millis: Self.now),
                    [
                        "recommendation_id": .text(recommendation), "institution_id": .text(institution),
                        "role": .text("lead"),
                    ],
                    by: secretariat), as: secretariat, into: store)
        }
        let action = UUIDv7.make(millis: Self.now)
        try push(
            operation(
                "action", action, ["title": .text("Draft the bill"), "recommendation_id": .text(first)], by: ministry),
            as: ministry, into: store)
        var updates: [String] = []
        for index in 0..<5 {
            let update = UUIDv7.make(millis: Self.now)
            updates.append(update)
            try push(
                operation(
                    "progress_update", update, ["action_id": .text(action), "narrative": .text("step \(index)")],
                    by: ministry),
                as: ministry, into: store)
        }
        #expect(store.log.count == 2 + 4 + 1 + 5)
        #expect(try store.filing("progress_update", id: updates[0])["org:moj"] == true)

        // The description decides nobody's audience: the action alone is filed again.
        let before = store.lastFeedSequence
        try push(
            operation("action", action, ["description": .text("Longer text")], by: ministry), as: ministry, into: store)
        #expect(store.lastFeedSequence == before + 1)

        // Moving the action to the other recommendation (the secretariat may) brings its updates
        // to the other ministry: each is filed again.
        let moving = store.lastFeedSequence
        guard
            case .accept = try push(
                operation("action", action, ["recommendation_id": .text(second)], by: secretariat), as: secretariat,
                into: store)
        else {
            Issue.record("the secretariat could not move the action")
            return
        }
        #expect(store.lastFeedSequence == moving + 1 + Int64(updates.count))
        for update in updates {
            let filing = try store.filing("progress_update", id: update)
            #expect(filing["org:mof"] == true)
        }
    }

    @Test("a page never splits one change's entries, sends a row once at its last change, and says what follows")
    func paging() {
        func entry(_ seq: Int64, _ row: String, _ visible: Bool = true) -> FeedEntry {
            FeedEntry(seq: seq, table: "action", row: row, visible: visible)
        }
        // Two keys of one viewer: the change at 2 is filed under both.
        let everyone = [entry(1, "a"), entry(2, "b"), entry(4, "a", false)]
        let own = [entry(2, "b"), entry(3, "c"), entry(4, "a")]
        let whole = FeedPlanner.page(ranges: [everyone, own], cursor: 0, limit: 10)
        #expect(whole.entries == [entry(2, "b"), entry(3, "c"), entry(4, "a")])
        #expect(whole.cursor == 4 && !whole.more)
        // Two changes per page: the page stops after the change at 2, both of its entries in it.
        let first = FeedPlanner.page(ranges: [Array(everyone.prefix(2)), Array(own.prefix(2))], cursor: 0, limit: 2)
        #expect(first.entries == [entry(1, "a"), entry(2, "b")])
        #expect(first.cursor == 2 && first.more)
        let empty = FeedPlanner.page(ranges: [[], []], cursor: 7, limit: 2)
        #expect(empty.entries.isEmpty && empty.cursor == 7 && !empty.more)
    }

    @Test("a page of large rows is cut at its byte budget between two sequences, and always sends one row")
    func pageByteBudget() {
        let large = String(repeating: "x", count: 100_000)
        func change(_ seq: Int64, _ row: String) -> RowChange {
            RowChange(seq: seq, table: "submission", row: row, kind: .row, fields: ["text": .text(large)])
        }
        let changes = (1...10).map { change(Int64($0), "r\($0)") }
        let cut = FeedPlanner.trimmed(changes, cursor: 10, more: false, byteBudget: 450_000)
        #expect(cut.changes.map(\.row) == ["r1", "r2"])
        #expect(cut.cursor == 2 && cut.more)
        let single = FeedPlanner.trimmed(changes, cursor: 10, more: false, byteBudget: 1_000)
        #expect(single.changes.map(\.row) == ["r1"])
        #expect(single.cursor == 1 && single.more)
        // Changes of one sequence stay together, whatever the budget.
        let together = FeedPlanner.trimmed(
            [change(1, "a"), change(1, "b"), change(2, "c")], cursor: 2, more: false, byteBudget: 1_000)
        #expect(together.changes.map(\.row) == ["a", "b"])
        #expect(together.cursor == 1 && together.more)
        let small = FeedPlanner.trimmed(Array(changes.prefix(3)), cursor: 9, more: true, byteBudget: 10_000_000)
        #expect(small.changes.count == 3 && small.cursor == 9 && small.more)
        #expect(changes[0].estimatedJSONBytes >= large.utf8.count)
    }
}
