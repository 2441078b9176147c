import Client
import Foundation
import Server
import Shared
import TestSupport
import Testing

/// Convergence: random offline edits on several replicas, random partial and repeated syncs,
/// then a full sync leaves every replica with the server's state.
@Suite("Convergence")
struct ConvergenceTests {
    static let editableColumns: [String: [String]] = [
        "recommendation": ["text", "session", "position", "paragraph", "themes"],
        "action": ["title", "status", "description", "budget_amount"],
        "progress_update": ["narrative", "value", "date"],
    ]

    static func randomValue(_ column: String, _ generator: inout SeededGenerator) -> FieldValue {
        switch column {
        case "session": .integer(Int64.random(in: 1...54, using: &generator))
        case "position": .text(["supported", "noted", "pending"].randomElement(using: &generator)!)
        case "status": .text(["planned", "in_progress", "completed"].randomElement(using: &generator)!)
        // Whole numbers in real columns and untidy lists must be stored as the server stores them.
        case "budget_amount", "value":
            Bool.random(using: &generator)
                ? .real(Double(Int.random(in: 0...1_000, using: &generator)))
                : .integer(Int64.random(in: 0...1_000, using: &generator))
        case "themes":
            .list(
                (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    ["Justice", " Justice", "Women's rights", ""].randomElement(using: &generator)!
                })
        case "date":
            .text("2027-0\(Int.random(in: 1...9, using: &generator))-1\(Int.random(in: 0...9, using: &generator))")
        case "paragraph", "description", "narrative":
            Bool.random(using: &generator) ? .null : .text("n\(Int.random(in: 0...999, using: &generator))")
        default: .text("v\(Int.random(in: 0...999, using: &generator))")
        }
    }

    static func required(_ table: String) -> String {
        switch table {
        case "recommendation": "text"
        case "action": "title"
        default: "narrative"
        }
    }

    @Test("random offline edits and partial syncs converge to the server's state", arguments: 0..<200)
    func convergence(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: seed)
        let server = try await InProcessServer()
        let replicaCount = Int.random(in: 3...4, using: &generator)
        var peers: [(replica: Replica, engine: SyncEngine, clock: ManualWallClock, org: String)] = []
        for index in 0..<replicaCount {
            // Some replicas are far ahead of the server (beyond its limit: their edits are
            // re-stamped), and some belong to a ministry (its edits of public records are refused).
            let skew =
                index > 0 && Int.random(in: 0..<5, using: &generator) == 0
                ? Int64.random(in: 90_000...300_000, using: &generator)
                : Int64.random(in: -5_000...5_000, using: &generator)
            let org = index > 0 && Int.random(in: 0..<3, using: &generator) == 0 ? "moj" : "nmirf"
            let clock = ManualWallClock(millis: server.clock.nowMillis() + skew)
            let (replica, engine) = try await server.replica(user: "user\(index)", org: org, clock: clock)
            peers.append((replica, engine, clock, org))
        }
        var sentBatches: [[Int: [SyncOperation]]] = Array(repeating: [:], count: replicaCount)

        for _ in 0..<Int.random(in: 20...60, using: &generator) {
            let tick = Int64.random(in: 0...300, using: &generator)
            server.clock.advance(by: tick)
            for peer in peers { peer.clock.advance(by: tick + Int64.random(in: -20...20, using: &generator)) }
            let index = Int.random(in: 0..<replicaCount, using: &generator)
            let peer = peers[index]
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...4:
                try edit(peer.replica, &generator)
            case 5, 6:
                // Push a prefix of the outbox, sometimes twice (a lost answer retried).
                let batch = try peer.replica.pendingOperations(limit: Int.random(in: 1...6, using: &generator))
                guard !batch.isEmpty else { continue }
                let response = try await peer.engine.transport.push(PushRequest(ops: batch))
                sentBatches[index][sentBatches[index].count] = batch
                if Bool.random(using: &generator) {
                    // A retried operation gets its first verdict again: accepted with the same log
                    // sequence, or refused for the same reason.
                    let retry = try await peer.engine.transport.push(PushRequest(ops: batch))
                    #expect(retry.verdicts.count == response.verdicts.count)
                    for (again, first) in zip(retry.verdicts, response.verdicts) {
                        if first.status == .accepted {
                            #expect(again == first)
                        } else {
                            #expect(again.status == .rejected && again.code == first.code, "\(again) after \(first)")
                        }
                    }
                }
                _ = try peer.replica.record(response.verdicts)
            case 7:
                // A stale batch arrives again, after later ones (reordered duplicate).
                guard let stale = sentBatches[index].values.randomElement(using: &generator) else { continue }
                let response = try await peer.engine.transport.push(PushRequest(ops: stale))
                _ = try peer.replica.record(response.verdicts)
            default:
                // Pull one small page only.
                let cursor = try peer.replica.settings().cursor
                let page = try await peer.engine.transport.pull(
                    PullRequest(cursor: cursor, limit: Int.random(in: 1...5, using: &generator)))
                try peer.replica.apply(page)
            }
        }

        for _ in 0..<2 {
            for peer in peers.shuffled(using: &generator) {
                var engine = peer.engine
                engine.pushBatchSize = Int.random(in: 1...10, using: &generator)
                engine.pullPageSize = Int.random(in: 1...10, using: &generator)
                _ = try await engine.sync()
            }
        }
        let serverDigest = try await server.storage.digest()
        let ministryDigest = try await server.storage.digest(visibleTo: Viewer(org: "moj", role: .ministry))
        let expected = try await Self.lastWriterWins(server.storage)
        for peer in peers {
            #expect(try peer.replica.status().pending == 0)
            guard peer.org == "nmirf" else {
                // A ministry holds exactly the part of the server's state it may see.
                #expect(try peer.replica.digest() == ministryDigest)
                continue
            }
            #expect(try peer.replica.digest() == serverDigest)
            for table in Schema.current.tables {
                let held = try peer.replica.rows(table.name)
                #expect(held.map(\.id) == (expected[table.name] ?? [:]).keys.sorted())
                for row in held {
                    #expect(row.values == expected[table.name]?[row.id], "\(table.name) \(row.id)")
                }
            }
        }
    }

    @Test("forty replicas editing the same rows at once, on one clock, converge: last writer wins exactly")
    func concurrentReplicas() async throws {
        let server = try await InProcessServer()
        // One clock for all: the same HLCs on many replicas, so ties are broken by operation id.
        let (first, firstEngine) = try await server.replica(user: "user0", org: "nmirf", clock: server.clock)
        let rows = try (0..<5).map { index in
            try first.put("recommendation", fields: ["text": .text("Recommendation \(index)")])
        }
        _ = try await firstEngine.sync()
        var peers: [(replica: Replica, engine: SyncEngine)] = [(first, firstEngine)]
        for index in 1..<40 {
            let (replica, engine) = try await server.replica(user: "user\(index)", org: "nmirf", clock: server.clock)
            _ = try await engine.sync()
            peers.append((replica, engine))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, peer) in peers.enumerated() {
                group.addTask {
                    var generator = SeededGenerator(seed: UInt64(index + 1))
                    for _ in 0..<3 {
                        for _ in 0..<3 {
                            let column = Self.editableColumns["recommendation"]!.randomElement(using: &generator)!
                            var value = Self.randomValue(column, &generator)
                            if column == "text", value == .null { value = .text("t\(index)") }
                            _ = try peer.replica.put(
                                "recommendation", id: rows.randomElement(using: &generator)!, fields: [column: value])
                        }
                        var engine = peer.engine
                        engine.pushBatchSize = Int.random(in: 1...4, using: &generator)
                        _ = try await engine.sync()
                    }
                }
            }
            try await group.waitForAll()
        }
        for peer in peers { _ = try await peer.engine.sync() }
        let serverDigest = try await server.storage.digest()
        let expected = try await Self.lastWriterWins(server.storage)
        #expect(try await server.storage.operationCount() >= 40 * 9)
        for peer in peers {
            #expect(try peer.replica.status().pending == 0)
            #expect(try peer.replica.status().rejected == 0)
            #expect(try peer.replica.digest() == serverDigest)
        }
        let held = try first.rows("recommendation")
        #expect(held.map(\.id) == (expected["recommendation"] ?? [:]).keys.sorted())
        for row in held {
            #expect(row.values == expected["recommendation"]?[row.id], "recommendation \(row.id)")
        }
    }

    /// The state the log should produce, computed without the merge code: for each field the
    /// value of the upsert with the largest (HLC, operation id); rows with any delete are gone.
    static func lastWriterWins(_ storage: SQLiteServerStorage) async throws -> [String: [String: [String: FieldValue]]]
    {
        var operations: [SyncOperation] = []
        var cursor: Int64 = 0
        while true {
            let page = try await storage.operations(after: cursor, limit: 5_000)
            operations += page.operations
            cursor = page.cursor
            if !page.more { break }
        }
        var deleted: Set<String> = []
        var winners: [String: (hlc: HLCTimestamp, id: String, value: FieldValue)] = [:]
        for operation in operations {
            let rowKey = operation.table + "/" + operation.row
            if operation.kind == .delete { deleted.insert(rowKey) }
            // JSON writes the real 238.0 as 238: read values by their column's type.
            let fields = Schema.current.table(operation.table)?.normalised(operation.fields) ?? operation.fields
            for (column, value) in fields {
                let key = rowKey + "/" + column
                if let current = winners[key], (current.hlc, current.id) >= (operation.hlc, operation.id) {
                    continue
                }
                winners[key] = (operation.hlc, operation.id, value)
            }
        }
        var result: [String: [String: [String: FieldValue]]] = [:]
        for (key, winner) in winners {
            let parts = key.split(separator: "/").map(String.init)
            guard !deleted.contains(parts[0] + "/" + parts[1]) else { continue }
            result[parts[0], default: [:]][parts[1], default: [:]][parts[2]] = winner.value
        }
        // Fields cleared to null are not shown, like the replica's rows.
        return result.mapValues { rows in rows.mapValues { $0.filter { $0.value != .null } } }
    }

    /// One random local edit: create, update a visible row, or delete one.
    func edit(_ replica: Replica, _ generator: inout SeededGenerator) throws {
        let table = ["recommendation", "action", "progress_update"].randomElement(using: &generator)!
        let visible = try replica.rows(table)
        let choice = Int.random(in: 0..<10, using: &generator)
        if visible.isEmpty || choice < 3 {
            try replica.put(table, fields: [Self.required(table): Self.randomValue(Self.required(table), &generator)])
            return
        }
        let target = visible.randomElement(using: &generator)!.id
        if choice == 9 {
            try replica.delete(table, id: target)
            return
        }
        var fields: [String: FieldValue] = [:]
        for column in Self.editableColumns[table]!.shuffled(using: &generator).prefix(
            Int.random(in: 1...2, using: &generator))
        {
            let value = Self.randomValue(column, &generator)
            fields[column] = column == Self.required(table) && value == .null ? .text("kept") : value
        }
        try replica.put(table, id: target, fields: fields)
    }
}
