import Shared
import TestSupport
import Testing

@Suite("Merge rule")
struct MergeTests {
    static let row = "01a22283-fcfa-7f35-b833-4ec80c9c148d"

    /// Random operations on one row from a few replicas, with same-field conflicts and deletes.
    static func randomOperations(_ generator: inout SeededGenerator, count: Int) -> [SyncOperation] {
        let replicas = [
            "01a22283-0000-7000-8000-00000000000a", "01a22283-0000-7000-8000-00000000000b",
            "01a22283-0000-7000-8000-00000000000c",
        ]
        let columns = ["title", "status", "description"]
        // A replica never issues the same HLC twice; operation ids are unique anyway.
        var used: Set<String> = []
        return (0..<count).map { index in
            let replica = replicas.randomElement(using: &generator)!
            var hlc = HLCTimestamp(physical: Int64.random(in: 1_000...1_010, using: &generator))
            while !used.insert("\(hlc)@\(replica)").inserted { hlc.logical += 1 }
            let isDelete = Int.random(in: 0..<12, using: &generator) == 0
            var fields: [String: FieldValue] = [:]
            if !isDelete {
                for column in columns.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator)) {
                    fields[column] = Bool.random(using: &generator) ? .text("v\(index)") : .null
                }
            }
            return SyncOperation(
                id: UUIDv7.make(millis: 1_000, using: &generator), table: "action", row: row,
                kind: isDelete ? .delete : .upsert, fields: fields, hlc: hlc, replica: replica)
        }
    }

    static func merge(_ operations: [SyncOperation]) -> RowState? {
        operations.reduce(nil as RowState?) { Merge.apply($1, to: $0) }
    }

    @Test("any order, batching and duplication gives the same state", arguments: 0..<300)
    func orderIndependence(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let operations = Self.randomOperations(&generator, count: Int.random(in: 1...25, using: &generator))
        let reference = Self.merge(operations)
        for _ in 0..<5 {
            var shuffled = operations.shuffled(using: &generator)
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                shuffled.insert(
                    operations.randomElement(using: &generator)!,
                    at: Int.random(in: 0...shuffled.count, using: &generator))
            }
            #expect(Self.merge(shuffled) == reference)
            // Associativity: merging two halves separately, then the second into the first.
            let cut = Int.random(in: 0...shuffled.count, using: &generator)
            let first = Self.merge(Array(shuffled[..<cut]))
            let combined = shuffled[cut...].reduce(first) { Merge.apply($1, to: $0) }
            #expect(combined == reference)
        }
    }

    @Test("the larger version wins a field; ties break on the operation's id, not the replica's")
    func lastWriterWins() {
        let a = SyncOperation(
            id: "a", table: "action", row: Self.row, kind: .upsert, fields: ["title": .text("A")],
            hlc: HLCTimestamp(physical: 10), replica: "r2")
        var b = a
        b.id = "b"
        b.fields = ["title": .text("B")]
        b.replica = "r1"
        #expect(Self.merge([a, b])?.values["title"] == .text("B"))
        #expect(Self.merge([b, a])?.values["title"] == .text("B"))
        #expect(Self.merge([a, b])?.versions["title"]?.description == "000000000000010-00000@b")
        b.hlc = HLCTimestamp(physical: 9)
        #expect(Self.merge([b, a])?.values["title"] == .text("A"))
    }

    @Test("a delete is final: a later update does not resurrect the row")
    func deleteIsFinal() {
        let create = SyncOperation(
            id: "c", table: "action", row: Self.row, kind: .upsert, fields: ["title": .text("A")],
            hlc: HLCTimestamp(physical: 10), replica: "r1")
        let delete = SyncOperation(
            id: "d", table: "action", row: Self.row, kind: .delete, hlc: HLCTimestamp(physical: 11), replica: "r2")
        var later = create
        later.id = "l"
        later.hlc = HLCTimestamp(physical: 50)
        later.fields = ["title": .text("after the delete")]
        for order in [[create, delete, later], [later, delete, create], [delete, later, create]] {
            let state = Self.merge(order)
            #expect(state?.isDeleted == true)
            #expect(state?.values.isEmpty == true)
        }
    }
}
