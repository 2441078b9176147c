import Shared
import Testing

@Suite("Operation rules")
struct OperationRulesTests {
    static let replica = "01a22283-fc9d-7486-8870-5d4d3c6c5909"

    static func upsert(_ fields: [String: FieldValue], table: String = "action") -> SyncOperation {
        SyncOperation(
            id: UUIDv7.make(), table: table, row: UUIDv7.make(), kind: .upsert, fields: fields,
            hlc: HLCTimestamp(physical: 1), replica: replica)
    }

    static func code(_ operation: SyncOperation) -> ErrorCode? {
        if case .failure(let rejection) = OperationRules.validate(operation, schema: .current) {
            return rejection.code
        }
        return nil
    }

    @Test("well-formed operations pass and reals are normalised")
    func valid() throws {
        let operation = Self.upsert([
            "title": .text("Draft bill"), "budget_amount": .integer(5), "due_date": .text("2028-02-29"),
        ])
        let checked = try OperationRules.validate(operation, schema: .current).get()
        #expect(checked.fields["budget_amount"] == .real(5))
    }

    @Test("each kind of bad operation has its code")
    func invalid() {
        #expect(Self.code(Self.upsert(["x": .text("y")], table: "nope")) == .unknownTable)
        #expect(Self.code(Self.upsert(["nope": .text("y")])) == .unknownColumn)
        #expect(Self.code(Self.upsert(["owner_org": .text("someone-else")])) == .readOnlyColumn)
        #expect(Self.code(Self.upsert(["created_by": .text("mallory")])) == .readOnlyColumn)
        #expect(Self.code(Self.upsert(["title": .integer(3)])) == .invalidValue)
        #expect(Self.code(Self.upsert(["title": .null])) == .invalidValue)
        #expect(Self.code(Self.upsert(["status": .text("done")])) == .invalidValue)
        #expect(Self.code(Self.upsert(["due_date": .text("2027-02-29")])) == .invalidValue)
        #expect(Self.code(Self.upsert(["recommendation_id": .text("not-an-id")])) == .invalidValue)
        #expect(Self.code(Self.upsert(["budget_amount": .text("12")])) == .invalidValue)
        #expect(Self.code(Self.upsert(["title": .text(String(repeating: "x", count: 100_001))])) == .invalidValue)
        #expect(Self.code(Self.upsert([:])) == .invalidOperation)
        var randomID = Self.upsert(["title": .text("t")])
        randomID.row = "3f2b8e1c-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
        #expect(Self.code(randomID) == .invalidID)
    }

    @Test("a new row needs its required fields; a deleted row takes no edit")
    func againstRow() throws {
        let table = try #require(Schema.current.table("action"))
        let missing = Self.upsert(["status": .text("planned")])
        #expect(OperationRules.checkAgainstRow(missing, existing: nil, table: table)?.code == .missingRequiredField)
        #expect(OperationRules.checkAgainstRow(missing, existing: RowState(), table: table) == nil)
        let deleted = RowState(tombstone: FieldVersion(hlc: HLCTimestamp(physical: 1), replica: "r"))
        #expect(OperationRules.checkAgainstRow(missing, existing: deleted, table: table)?.code == .rowDeleted)
        var delete = missing
        delete.kind = .delete
        delete.fields = [:]
        #expect(OperationRules.checkAgainstRow(delete, existing: nil, table: table)?.code == .rowNotFound)
    }
}
