/// The version of a field's value: the writing operation's HLC timestamp and replica id.
///
/// Versions are totally ordered by `(hlc, replica)`; the larger one wins (last writer wins).
/// Stored as text, `<hlc>@<replica>`; since the HLC's text is fixed-width, the byte order of two
/// stored versions is their order. A version keeps that text and compares it directly, so rows
/// read from storage or from the wire are merged without parsing their versions.
public struct FieldVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stored form, `<hlc>@<replica>`.
    public let description: String

    /// Creates a version.
    public init(hlc: HLCTimestamp, replica: String) {
        description = "\(hlc)@\(replica)"
    }

    /// Checks the stored form `<hlc>@<replica>` (a fixed-width HLC, then `@` and a replica id).
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

    /// The replica that wrote it (the tie-breaker).
    public var replica: String {
        String(description.utf8.dropFirst(HLCTimestamp.width + 1))!
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }
}
