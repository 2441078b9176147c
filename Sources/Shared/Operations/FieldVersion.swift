/// The version of a field's value: the writing operation's HLC timestamp and its id.
///
/// Versions are totally ordered by `(hlc, writer)`; the larger one wins (last writer wins). The
/// writer is the operation's id, unique in the log, so it breaks ties without naming the device
/// that wrote (a version reaches every organisation that sees the row). Versions stored before
/// protocol §10.3 changed name a replica id there; they keep their text and their order.
/// Stored as text, `<hlc>@<writer>`; since the HLC's text is fixed-width, the byte order of two
/// stored versions is their order. A version keeps that text and compares it directly, so rows
/// read from storage or from the wire are merged without parsing their versions.
public struct FieldVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stored form, `<hlc>@<writer>`.
    public let description: String

    /// Creates a version.
    public init(hlc: HLCTimestamp, writer: String) {
        description = "\(hlc)@\(writer)"
    }

    /// Checks the stored form `<hlc>@<writer>` (a fixed-width HLC, then `@` and the tie-breaker).
    public init?(_ text: String) {
        let utf8 = text.utf8
        guard utf8.count > HLCTimestamp.width + 1 else { return nil }
        var index = 0
        var logical = 0
        for byte in utf8 {
            switch index {
            case HLCTimestamp.width:
                guard byte == UInt8(ascii: "@"), logical <= Int(UInt16.max) else { return nil }
                description = text
                return
            case 15:
                guard byte == UInt8(ascii: "-") else { return nil }
            default:
                guard byte >= 48, byte <= 57 else { return nil }
                if index > 15 { logical = logical * 10 + Int(byte - 48) }
            }
            index += 1
        }
        return nil
    }

    /// When the writing operation happened.
    public var hlc: HLCTimestamp {
        HLCTimestamp(String(description.utf8.prefix(HLCTimestamp.width))!)!
    }

    /// The tie-breaker: the writing operation's id (a replica id in versions stored before).
    public var writer: String {
        String(description.utf8.dropFirst(HLCTimestamp.width + 1))!
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }
}
