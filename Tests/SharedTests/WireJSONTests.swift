import Foundation
import Shared
import TestSupport
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
                serverTime: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator),
                state: Bool.random(using: &generator) ? "MAR" : nil)
            #expect(String(decoding: WireJSON.encode(page), as: UTF8.self) == (try Self.encoded(page)))
        }
    }

    static func operation(_ generator: inout SeededGenerator) -> SyncOperation {
        SyncOperation(
            id: UUIDv7.make(), table: text(&generator), row: UUIDv7.make(),
            kind: Bool.random(using: &generator) ? .upsert : .delete, fields: fields(&generator),
            hlc: HLCTimestamp(physical: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator)),
            replica: UUIDv7.make(),
            seq: Bool.random(using: &generator) ? Int64.random(in: 1...9_999, using: &generator) : nil,
            author: Bool.random(using: &generator) ? text(&generator) : nil,
            org: Bool.random(using: &generator) ? text(&generator) : nil)
    }

    static func page(_ generator: inout SeededGenerator) -> PullResponse {
        let changes = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
            let kind: RowChange.Kind = Int.random(in: 0..<4, using: &generator) == 0 ? .purge : .row
            return RowChange(
                seq: Int64.random(in: 0...1_000_000, using: &generator), table: text(&generator),
                row: UUIDv7.make(), kind: kind, fields: kind == .row ? fields(&generator) : [:],
                versions: kind == .row ? fields(&generator).mapValues { _ in text(&generator) } : [:],
                deleted: kind == .row && Bool.random(using: &generator) ? text(&generator) : nil)
        }
        return PullResponse(
            changes: changes, cursor: Int64.random(in: 0...1_000_000, using: &generator),
            more: Bool.random(using: &generator), org: text(&generator), orgKind: "ministry",
            serverTime: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator),
            state: Bool.random(using: &generator) ? text(&generator) : nil)
    }

    static func hasReal(_ fields: [String: FieldValue]) -> Bool {
        fields.values.contains { if case .real = $0 { true } else { false } }
    }

    @Test("the hand-written reader decodes what the decoder decodes, and refuses what it refuses")
    func readerAgreesWithTheDecoder() throws {
        var generator = SeededGenerator(seed: 43)
        let decoder = WireCoding.decoder()
        for _ in 0..<400 {
            let push = PushRequest(
                ops: (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    Self.operation(&generator)
                }, org: Bool.random(using: &generator) ? "moj" : nil)
            let page = Self.page(&generator)
            let pushJSON = Data(try Self.encoded(push).utf8)
            let pageJSON = Data(try Self.encoded(page).utf8)
            let pushRead = WireJSONReader.pushRequest(pushJSON)
            let pageRead = WireJSONReader.pullResponse(pageJSON)
            let pushDecoded = try decoder.decode(PushRequest.self, from: pushJSON)
            let pageDecoded = try decoder.decode(PullResponse.self, from: pageJSON)
            #expect(pushRead == nil || pushRead == pushDecoded)
            #expect(pageRead == nil || pageRead == pageDecoded)
            // It only leaves real numbers (never written by this schema's clients) to the decoder.
            if !push.ops.contains(where: { Self.hasReal($0.fields) }) { #expect(pushRead != nil) }
            if !page.changes.contains(where: { Self.hasReal($0.fields) }) { #expect(pageRead != nil) }

            // Damaged, padded or unusual input: never a different answer from the decoder's.
            var bytes = Array(Bool.random(using: &generator) ? pushJSON : pageJSON)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] =
                    Array("{}[]\",:0-1.eEtfnul\\/u \u{80}\u{FF}".utf8).randomElement(using: &generator)!
            case 2: bytes = Array(" \n".utf8) + bytes + Array("\t ".utf8)
            default: break
            }
            let data = Data(bytes)
            if let read = WireJSONReader.pushRequest(data) {
                #expect(read == (try? decoder.decode(PushRequest.self, from: data)))
            }
            if let read = WireJSONReader.pullResponse(data) {
                #expect(read == (try? decoder.decode(PullResponse.self, from: data)))
            }
        }
        let operation =
            #"{"id":"a","table":"t","row":"r","kind":"upsert","hlc":"000000000000001-00000","replica":"x","#
        for odd in [
            #"{"ops":[],"ops":[]}"#, #"{"ops":[],"extra":1}"#, #"{"ops":[],"org":"moj","org":"mof"}"#,
            #"{"org":"moj","ops":[]}"#, #"{"ops":[],"org":null}"#,
            #"{"ops":["# + operation + #""fields":{"n":1.0}}]}"#,
            #"{"ops":["# + operation + #""fields":{"n":01}}]}"#,
            #"{"ops":["# + operation + #""fields":{"n":"\u0041\ud83d\ude00"}}]}"#,
            #"{"ops":["# + operation + #""fields":{"n":99999999999999999999}}]}"#,
            #"{"ops":["# + operation + #""fields":null,"seq":null}]}"#,
        ] {
            let data = Data(odd.utf8)
            let decoded = try? decoder.decode(PushRequest.self, from: data)
            if let read = WireJSONReader.pushRequest(data) { #expect(read == decoded, "\(odd)") }
        }
        #expect(WireJSONReader.pushRequest(Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x5B, 0x5D, 0x7D])) == nil)
    }

    @Test("versions compare by their text exactly as by (hlc, writer), and only valid texts parse")
    func versionOrder() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            func version() -> FieldVersion {
                FieldVersion(
                    hlc: HLCTimestamp(
                        physical: Int64.random(in: 0...3, using: &generator),
                        logical: UInt16.random(in: 0...2, using: &generator)),
                    writer: ["a", "b", "ab", UUIDv7.make()][Int.random(in: 0..<4, using: &generator)])
            }
            let (a, b) = (version(), version())
            #expect((a < b) == ((a.hlc, a.writer) < (b.hlc, b.writer)))
            #expect((a == b) == (a.hlc == b.hlc && a.writer == b.writer))
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
