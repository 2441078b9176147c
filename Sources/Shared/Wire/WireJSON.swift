import Foundation

/// Writes the JSON of the messages on the hot paths (operations, their fields, pull pages) by
/// hand: byte for byte what `WireCoding.encoder()` writes, at a fraction of its cost.
///
/// Keys are sorted by their UTF-8 bytes, strings escape `"`, `\` and control characters only
/// (`/` and non-ASCII characters are written as they are), as the encoder does. Real numbers,
/// rare in this schema, are formatted by the encoder itself. `WireJSONTests` compares both
/// writers on random values.
public struct WireJSON {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// An operation as the outbox keeps it and a push carries it.
    public static func encode(_ operation: SyncOperation) -> String {
        var writer = WireJSON()
        writer.operation(operation)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Field values as the operation log keeps them.
    public static func encode(_ fields: [String: FieldValue]) -> String {
        var writer = WireJSON()
        writer.fields(fields)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A pull page.
    public static func encode(_ page: PullResponse) -> [UInt8] {
        var writer = WireJSON()
        writer.bytes.reserveCapacity(page.changes.count * 768 + 128)
        writer.append("{\"changes\":[")
        for (index, change) in page.changes.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.change(change)
        }
        writer.append("],\"cursor\":")
        writer.integer(page.cursor)
        if let head = page.head {
            writer.append(",\"head\":{\"key\":")
            writer.string(head.key)
            writer.append(",\"root\":")
            writer.string(head.root.hex)
            writer.append(",\"signature\":")
            writer.string(head.signature)
            writer.append(",\"timestamp\":")
            writer.integer(head.timestamp)
            writer.append(",\"tree_size\":")
            writer.integer(head.treeSize)
            writer.append("}")
        }
        writer.append(page.more ? ",\"more\":true,\"org\":" : ",\"more\":false,\"org\":")
        writer.string(page.org)
        writer.append(",\"org_kind\":")
        writer.string(page.orgKind)
        writer.append(",\"server_time\":")
        writer.integer(page.serverTime)
        if let state = page.state {
            writer.append(",\"state\":")
            writer.string(state)
        }
        writer.bytes.append(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// Appends an operation object.
    public mutating func operation(_ operation: SyncOperation) {
        if let author = operation.author {
            append("{\"author\":")
            string(author)
            append(",")
        } else {
            append("{")
        }
        if operation.kind == .upsert {
            append("\"fields\":")
            fields(operation.fields)
            append(",")
        }
        append("\"hlc\":")
        string(operation.hlc.description)
        append(",\"id\":")
        string(operation.id)
        append(",\"kind\":")
        string(operation.kind.rawValue)
        if let org = operation.org {
            append(",\"org\":")
            string(org)
        }
        append(",\"replica\":")
        string(operation.replica)
        append(",\"row\":")
        string(operation.row)
        if let seq = operation.seq {
            append(",\"seq\":")
            integer(seq)
        }
        append(",\"table\":")
        string(operation.table)
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a row change object.
    public mutating func change(_ change: RowChange) {
        if change.kind == .row {
            if let deleted = change.deleted {
                append("{\"deleted\":")
                string(deleted)
                append(",\"fields\":")
            } else {
                append("{\"fields\":")
            }
            fields(change.fields)
            append(",\"kind\":\"row\",\"row\":")
        } else {
            append("{\"kind\":")
            string(change.kind.rawValue)
            append(",\"row\":")
        }
        string(change.row)
        append(",\"seq\":")
        integer(change.seq)
        append(",\"table\":")
        string(change.table)
        if change.kind == .row {
            append(",\"versions\":{")
            for (index, key) in change.versions.keys.sorted(by: Self.byteOrder).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(key)
                bytes.append(UInt8(ascii: ":"))
                string(change.versions[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends an object of field values, keys in byte order.
    public mutating func fields(_ fields: [String: FieldValue]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in fields.keys.sorted(by: Self.byteOrder).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            value(fields[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends one field value.
    public mutating func value(_ value: FieldValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let number): integer(number)
        case .real(let number):
            // The encoder's number format ("1", "1e+20", "1.5e-07"), taken from the encoder itself.
            let array = (try? WireCoding.encoder().encode([number])) ?? Data("[null]".utf8)
            bytes.append(contentsOf: array.dropFirst().dropLast())
        case .text(let text): string(text)
        case .list(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(item)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Appends a quoted, escaped string.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            case 0..<0x20:
                append("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an integer in decimal.
    public mutating func integer(_ number: Int64) {
        append(String(number))
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
