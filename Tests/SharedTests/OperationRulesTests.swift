import Foundation
import Shared
import TestSupport
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

    @Test("text keeps tabs and line breaks and refuses every other control character, NUL and ESC among them")
    func controlCharacters() throws {
        let fine = Self.upsert(["title": .text("Line one\n\tline two\r\n"), "description": .text("Ünïcödé, عربي, 中文")])
        #expect(Self.code(fine) == nil)
        for control in ["\u{0}", "\u{1B}[2J", "\u{7}", "\u{8}", "\u{7F}", "\u{9B}31m", "\u{85}"] {
            guard
                case .failure(let rejection) = OperationRules.validate(
                    Self.upsert(["title": .text("Report \(control) end")]), schema: .current)
            else {
                Issue.record("a title holding U+\(String(control.unicodeScalars.first!.value, radix: 16)) passed")
                continue
            }
            #expect(rejection.code == .invalidValue)
            #expect(rejection.message.contains("control character U+"))
        }
        let listItem = Self.upsert(
            ["themes": .list(["Justice", "Torture\u{1B}]0;pwned\u{7}"])], table: "recommendation")
        #expect(Self.code(listItem) == .invalidValue)
        #expect(OperationRules.forbiddenControlCharacter(in: "a\u{0}b") == "\u{0}")
        #expect(OperationRules.forbiddenControlCharacter(in: "tab\there\r\n") == nil)
    }

    @Test("a new row needs its required fields; a deleted row takes no edit")
    func againstRow() throws {
        let table = try #require(Schema.current.table("action"))
        let missing = Self.upsert(["status": .text("planned")])
        #expect(OperationRules.checkAgainstRow(missing, existing: nil, table: table)?.code == .missingRequiredField)
        #expect(OperationRules.checkAgainstRow(missing, existing: RowState(), table: table) == nil)
        let deleted = RowState(tombstone: FieldVersion(hlc: HLCTimestamp(physical: 1), writer: "r"))
        #expect(OperationRules.checkAgainstRow(missing, existing: deleted, table: table)?.code == .rowDeleted)
        var delete = missing
        delete.kind = .delete
        delete.fields = [:]
        #expect(OperationRules.checkAgainstRow(delete, existing: nil, table: table)?.code == .rowNotFound)
    }
}

extension OperationRulesTests {
    @Test("workflow moves: one step forward or back; new rows start as draft")
    func transitions() throws {
        let action = try #require(Schema.current.table("action"))
        let assessment = try #require(Schema.current.table("assessment"))
        func move(_ table: TableSchema, from: String?, to: String) -> ErrorCode? {
            var operation = Self.upsert(["state": .text(to)], table: table.name)
            operation.fields["state"] = .text(to)
            let existing = from.map { RowState(values: ["state": .text($0)]) } ?? RowState()
            return OperationRules.checkAgainstRow(operation, existing: existing, table: table)?.code
        }
        #expect(move(action, from: "draft", to: "submitted") == nil)
        #expect(move(action, from: "submitted", to: "draft") == nil)
        #expect(move(action, from: "submitted", to: "published") == nil)
        #expect(move(action, from: "published", to: "submitted") == nil)
        #expect(move(action, from: "draft", to: "published") == .invalidTransition)
        #expect(move(action, from: "published", to: "draft") == .invalidTransition)
        #expect(move(action, from: nil, to: "published") == .invalidTransition)
        #expect(move(assessment, from: "draft", to: "published") == nil)
        #expect(move(assessment, from: "published", to: "draft") == nil)
        var created = Self.upsert(["rating": .text("partial"), "state": .text("published")], table: "assessment")
        #expect(OperationRules.checkAgainstRow(created, existing: nil, table: assessment)?.code == .invalidTransition)
        created = OperationRules.withDefaults(
            Self.upsert(["rating": .text("partial")], table: "assessment"), table: assessment)
        #expect(created.fields["state"] == .text("draft"))
        #expect(OperationRules.checkAgainstRow(created, existing: nil, table: assessment) == nil)
    }

    @Test("lists are tidied and bounded; vocabularies are exact")
    func lists() throws {
        let tidy = try OperationRules.validate(
            Self.upsert(
                ["text": .text("t"), "themes": .list([" Justice ", "Justice", "", "Women's rights"])],
                table: "recommendation"),
            schema: .current
        ).get()
        #expect(tidy.fields["themes"] == .list(["Justice", "Women's rights"]))
        let many = Self.upsert(["themes": .list((0...500).map { "theme \($0)" })], table: "recommendation")
        #expect(Self.code(many) == .invalidValue)
        #expect(
            Self.code(Self.upsert(["themes": .list([String(repeating: "x", count: 1_001)])], table: "recommendation"))
                == .invalidValue)
        #expect(
            Self.code(Self.upsert(["recommending_states": .list(["fra"])], table: "recommendation")) == .invalidValue)
        #expect(Self.code(Self.upsert(["recommending_states": .list(["FRA"])], table: "recommendation")) == nil)
        #expect(
            Self.code(Self.upsert(["sdg_targets": .list(["5.2", "17.19", "16.a"])], table: "recommendation")) == nil)
        #expect(Self.code(Self.upsert(["sdg_targets": .list(["17.20"])], table: "recommendation")) == .invalidValue)
        #expect(Self.code(Self.upsert(["budget_currency": .text("dollars")])) == .invalidValue)
        #expect(Self.code(Self.upsert(["action_category": .integer(6)], table: "recommendation")) == .invalidValue)
        #expect(SustainableDevelopmentGoals.goals.count == 17)
        #expect(SustainableDevelopmentGoals.allTargets.count == 169)
        #expect(Countries.all.count == 249)
        #expect(Mechanisms.all.count == 11)
        #expect(UPRCycles.cycle(forSession: 12) == 1 && UPRCycles.cycle(forSession: 13) == 2)
        #expect(UPRCycles.cycle(forSession: 40) == 3 && UPRCycles.cycle(forSession: 41) == 4)
    }

    @Test("a revision names the row it revises once and for good, and is never published itself")
    func revisions() throws {
        let table = try #require(Schema.current.table("action"))
        let original = UUIDv7.make()
        var revision = Self.upsert(["revision_of": .text(original), "state": .text("submitted")])
        let existing = RowState(values: ["revision_of": .text(original), "state": .text("submitted")])
        #expect(OperationRules.checkAgainstRow(revision, existing: existing, table: table) == nil)
        revision.fields = ["revision_of": .text(UUIDv7.make())]
        #expect(OperationRules.checkAgainstRow(revision, existing: existing, table: table)?.code == .invalidValue)
        revision.fields = ["revision_of": .null]
        #expect(OperationRules.checkAgainstRow(revision, existing: existing, table: table)?.code == .invalidValue)
        revision.fields = ["revision_of": .text(revision.row), "title": .text("t")]
        #expect(OperationRules.checkAgainstRow(revision, existing: nil, table: table)?.code == .invalidValue)
        revision.fields = ["state": .text("published")]
        #expect(OperationRules.checkAgainstRow(revision, existing: existing, table: table)?.code == .invalidTransition)
        // A row that revises nothing is published as before.
        let plain = RowState(values: ["state": .text("submitted")])
        #expect(OperationRules.checkAgainstRow(revision, existing: plain, table: table) == nil)
    }

    @Test("a published key never changes in place: a rotation is a new organisation_key row")
    func keyRowsAreSetOnce() throws {
        let table = try #require(Schema.current.table("organisation_key"))
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let other = Data(repeating: 8, count: 32).base64EncodedString()
        let existing = RowState(values: ["public_key": .text(key), "algorithm": .text(SealedText.suiteName)])
        var edit = Self.upsert(["public_key": .text(key)])
        #expect(OperationRules.checkAgainstRow(edit, existing: existing, table: table) == nil)
        edit.fields = ["public_key": .text(other)]
        let refused = OperationRules.checkAgainstRow(edit, existing: existing, table: table)
        #expect(refused?.code == .invalidValue)
        #expect(refused?.message.contains("rotate") == true)
        edit.fields = ["public_key": .null]
        #expect(OperationRules.checkAgainstRow(edit, existing: existing, table: table)?.code == .invalidValue)
        // A new row, the rotation, is the way.
        edit.fields = ["public_key": .text(other), "algorithm": .text(SealedText.suiteName)]
        #expect(OperationRules.checkAgainstRow(edit, existing: nil, table: table) == nil)
    }
}
