import Foundation
import Shared
import Testing

@Suite("Hand-written wire JSON")
struct WireJSONTests {
    /// Strings with every kind of character the writer treats specially.
    static func text(_ generator: inout SeededGenerator) -> String {
        let pieces = [
            "a", "Z", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\t", "\n", "\u{C}", "\r", "\u{1F}", "\u{7F}",
            "é", "\u{2028}", "😀", "ع", "28.3", "A/HRC/40/6",
        ]
        return (0..<Int.random(in: 0...12, using: &generator)).map { _ in
            pieces[Int.random(in: 0..<pieces.count, using: &generator)]
        }.joined()
    }

    static func value(_ generator: inout SeededGenerator) -> FieldValue {
        switch Int.random(in: 0..<7, using: &generator) {
        case 0: .null
        case 1: .bool(Bool.random(using: &generator))
        case 2: .integer(Int64.random(in: Int64.min...Int64.max, using: &generator))
        case 3:
            .real(
                [1.0, 0.1, -0.0, 1e20, 1.5e-7, 123_456_789.125, Double.random(in: -1e9...1e9, using: &generator)][
                    Int.random(in: 0..<7, using: &generator)])
        case 4: .list((0..<Int.random(in: 0...3, using: &generator)).map { _ in text(&generator) })
        default: .text(text(&generator))
        }
    }

    static func fields(_ generator: inout SeededGenerator) -> [String: FieldValue] {
        let names =
            Schema.current.tables.flatMap { $0.columns.map(\.name) } + ["a_b", "aB", "A", "a10", "a9", "é"]
        var fields: [String: FieldValue] = [:]
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            fields[names[Int.random(in: 0..<names.count, using: &generator)]] = value(&generator)
        }
        return fields
    }

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try WireCoding.encoder().encode(value), as: UTF8.self)
    }

    @Test("operations, field values and pull pages are written byte for byte as the encoder writes them")
    func sameBytesAsTheEncoder() throws {
        var generator = SeededGenerator(seed: 41)
        for _ in 0..<500 {
            let fields = Self.fields(&generator)
            #expect(WireJSON.encode(fields) == (try Self.encoded(fields)))

            let operation = SyncOperation(
                id: UUIDv7.make(), table: Self.text(&generator), row: UUIDv7.make(),
                kind: Bool.random(using: &generator) ? .upsert : .delete, fields: fields,
                hlc: HLCTimestamp(physical: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator)),
                replica: UUIDv7.make(),
                seq: Bool.random(using: &generator) ? Int64.random(in: 1...9_999, using: &generator) : nil,
                author: Bool.random(using: &generator) ? Self.text(&generator) : nil,
                org: Bool.random(using: &generator) ? Self.text(&generator) : nil)
            #expect(WireJSON.encode(operation) == (try Self.encoded(operation)))

            let changes = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                let kind: RowChange.Kind = Int.random(in: 0..<4, using: &generator) == 0 ? .purge : .row
                return RowChange(
                    seq: Int64.random(in: 0...1_000_000, using: &generator), table: Self.text(&generator),
                    row: UUIDv7.make(), kind: kind, fields: kind == .row ? Self.fields(&generator) : [:],
                    versions: kind == .row ? Self.fields(&generator).mapValues { _ in Self.text(&generator) } : [:],
                    deleted: kind == .row && Bool.random(using: &generator) ? Self.text(&generator) : nil)
            }
            let page = PullResponse(
                changes: changes, cursor: Int64.random(in: 0...1_000_000, using: &generator),
                more: Bool.random(using: &generator), org: Self.text(&generator), orgKind: "ministry",
                serverTime: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator))
            #expect(String(decoding: WireJSON.encode(page), as: UTF8.self) == (try Self.encoded(page)))
        }
    }

    @Test("versions compare by their text exactly as by (hlc, replica), and only valid texts parse")
    func versionOrder() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            func version() -> FieldVersion {
                FieldVersion(
                    hlc: HLCTimestamp(
                        physical: Int64.random(in: 0...3, using: &generator),
                        logical: UInt16.random(in: 0...2, using: &generator)),
                    replica: ["a", "b", "ab", UUIDv7.make()][Int.random(in: 0..<4, using: &generator)])
            }
            let (a, b) = (version(), version())
            #expect((a < b) == ((a.hlc, a.replica) < (b.hlc, b.replica)))
            #expect((a == b) == (a.hlc == b.hlc && a.replica == b.replica))
            #expect(FieldVersion(a.description) == a)
        }
        #expect(FieldVersion("000000000000001-00001@r") != nil)
        #expect(FieldVersion("000000000000001-00001@") == nil)
        #expect(FieldVersion("000000000000001-00001r") == nil)
        #expect(FieldVersion("000000000000001-99999@r") == nil)
        #expect(FieldVersion("00000000000000x-00001@r") == nil)
        #expect(FieldVersion("000000000000001+00001@r") == nil)
    }
}
