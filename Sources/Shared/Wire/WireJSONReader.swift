import Foundation

/// Reads the JSON of the two big messages, push requests and pull pages, by hand.
///
/// It accepts only the shape the protocol's writers produce and answers nil for anything else
/// (unknown or repeated keys, numbers with a fraction or exponent, escapes it does not read,
/// invalid UTF-8, malformed JSON). Callers then decode with `WireCoding.decoder()`, so what is
/// accepted decodes to the same value either way and every error is still the decoder's.
/// `WireJSONReaderTests` checks both on random messages.
public struct WireJSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// A push request, or nil when it takes the decoder to read it.
    public static func pushRequest(_ data: some ContiguousBytes) -> PushRequest? {
        data.withUnsafeBytes { raw in
            var reader = WireJSONReader(raw.bindMemory(to: UInt8.self))
            var operations: [SyncOperation]?
            var org: String?
            guard
                reader.object({ reader, key in
                    switch key {
                    case "ops" where operations == nil:
                        operations = reader.array { reader in reader.operation() }
                        return operations != nil
                    case "org" where org == nil:
                        org = reader.string()
                        return org != nil
                    default:
                        return false
                    }
                }), reader.atEnd, let operations
            else { return nil }
            return PushRequest(ops: operations, org: org)
        }
    }

    /// A pull page, or nil when it takes the decoder to read it.
    public static func pullResponse(_ data: some ContiguousBytes) -> PullResponse? {
        data.withUnsafeBytes { raw in
            var reader = WireJSONReader(raw.bindMemory(to: UInt8.self))
            var changes: [RowChange]?
            var cursor: Int64?
            var more: Bool?
            var org: String?
            var orgKind: String?
            var serverTime: Int64?
            var state: String?
            guard
                reader.object({ reader, key in
                    switch key {
                    case "changes" where changes == nil: changes = reader.array { reader in reader.change() }
                    case "cursor" where cursor == nil: cursor = reader.integer()
                    case "more" where more == nil: more = reader.bool()
                    case "org" where org == nil: org = reader.string()
                    case "org_kind" where orgKind == nil: orgKind = reader.string()
                    case "server_time" where serverTime == nil: serverTime = reader.integer()
                    case "state" where state == nil: state = reader.string()
                    default: return false
                    }
                    return true
                }), reader.atEnd, let changes, let cursor, let more, let org, let orgKind, let serverTime
            else { return nil }
            return PullResponse(
                changes: changes, cursor: cursor, more: more, org: org, orgKind: orgKind, serverTime: serverTime,
                state: state)
        }
    }

    // MARK: Messages

    private mutating func operation() -> SyncOperation? {
        var id: String?
        var table: String?
        var row: String?
        var kind: SyncOperation.Kind?
        var fields: [String: FieldValue]?
        var hlc: HLCTimestamp?
        var replica: String?
        var seq: Int64??
        var author: String??
        var org: String??
        let read = object { reader, key in
            switch key {
            case "id" where id == nil: id = reader.string()
            case "table" where table == nil: table = reader.string()
            case "row" where row == nil: row = reader.string()
            case "kind" where kind == nil: kind = reader.string().flatMap(SyncOperation.Kind.init(rawValue:))
            case "fields" where fields == nil: fields = reader.nullOr { $0.fields() }.map { $0 ?? [:] }
            case "hlc" where hlc == nil: hlc = reader.string().flatMap(HLCTimestamp.init)
            case "replica" where replica == nil: replica = reader.string()
            case "seq" where seq == nil: seq = reader.nullOr { $0.integer() }
            case "author" where author == nil: author = reader.nullOr { $0.string() }
            case "org" where org == nil: org = reader.nullOr { $0.string() }
            default: return false
            }
            return true
        }
        guard read, let id, let table, let row, let kind, let hlc, let replica else { return nil }
        return SyncOperation(
            id: id, table: table, row: row, kind: kind, fields: fields ?? [:], hlc: hlc, replica: replica,
            seq: seq ?? nil, author: author ?? nil, org: org ?? nil)
    }

    private mutating func change() -> RowChange? {
        var seq: Int64?
        var table: String?
        var row: String?
        var kind: RowChange.Kind?
        var fields: [String: FieldValue]?
        var versions: [String: String]?
        var deleted: String??
        let read = object { reader, key in
            switch key {
            case "seq" where seq == nil: seq = reader.integer()
            case "table" where table == nil: table = reader.string()
            case "row" where row == nil: row = reader.string()
            case "kind" where kind == nil: kind = reader.string().flatMap(RowChange.Kind.init(rawValue:))
            case "fields" where fields == nil: fields = reader.nullOr { $0.fields() }.map { $0 ?? [:] }
            case "versions" where versions == nil: versions = reader.nullOr { $0.versions() }.map { $0 ?? [:] }
            case "deleted" where deleted == nil: deleted = reader.nullOr { $0.string() }
            default: return false
            }
            return true
        }
        guard read, let seq, let table, let row, let kind else { return nil }
        return RowChange(
            seq: seq, table: table, row: row, kind: kind, fields: fields ?? [:], versions: versions ?? [:],
            deleted: deleted ?? nil)
    }

    private mutating func fields() -> [String: FieldValue]? {
        var fields: [String: FieldValue] = [:]
        let read = object { reader, key in
            guard fields[key] == nil, let value = reader.value() else { return false }
            fields[key] = value
            return true
        }
        return read ? fields : nil
    }

    private mutating func versions() -> [String: String]? {
        var versions: [String: String] = [:]
        let read = object { reader, key in
            guard versions[key] == nil, let version = reader.string() else { return false }
            versions[key] = version
            return true
        }
        return read ? versions : nil
    }

    private mutating func value() -> FieldValue? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map { .text($0) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool().map { .bool($0) }
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "["): return array { reader in reader.string() }.map { .list($0) }
        default: return integer().map { .integer($0) }
        }
    }

    // MARK: JSON

    private var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        skipSpace()
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += length
        return true
    }

    /// `null` (answering `.some(nil)`), or what `body` reads.
    private mutating func nullOr<T>(_ body: (inout Self) -> T?) -> T?? {
        if literal("null") { return .some(nil) }
        return body(&self).map { .some($0) }
    }

    /// Reads an object, calling `body` with each key; false when the JSON or `body` refuses.
    private mutating func object(_ body: (inout Self, String) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), consume(UInt8(ascii: ":")), body(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    private mutating func array<T>(_ element: (inout Self) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [T] = []
        if consume(UInt8(ascii: "]")) { return items }
        repeat {
            guard let item = element(&self) else { return nil }
            items.append(item)
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? items : nil
    }

    private mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// An integer without fraction or exponent that fits 64 bits.
    private mutating func integer() -> Int64? {
        skipSpace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[index] - 48))
            guard !overflow, !carry else { return nil }
            magnitude = sum
            index += 1
        }
        let digits = index - start
        // No empty number, no leading zero, and nothing the decoder would read as a real.
        guard digits > 0, digits == 1 || bytes[start] != 48 else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// A string: raw UTF-8 (validated) and the simple escapes; nil for `\u` escapes beyond
    /// the Basic Multilingual Plane's non-surrogates.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        // The common case: no escape, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        var unescaped = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: unescaped, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count else { return nil }
                    var code: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = Self.hexValue(bytes[index]) else { return nil }
                        code = code * 16 + digit
                        index += 1
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    unescaped.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                unescaped.append(byte)
            }
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 48...57: UInt32(byte - 48)
        case 97...102: UInt32(byte - 87)
        case 65...70: UInt32(byte - 55)
        default: nil
        }
    }
}
