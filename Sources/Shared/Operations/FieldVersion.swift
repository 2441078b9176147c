/// The version of a field's value: the writing operation's HLC timestamp and replica id.
///
/// Versions are totally ordered by `(hlc, replica)`; the larger one wins (last writer wins).
/// Stored as text, `<hlc>@<replica>`; since the HLC's text is fixed-width, the text order of two
/// stored versions is their order.
public struct FieldVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// When the writing operation happened.
    public var hlc: HLCTimestamp
    /// The replica that wrote it (the tie-breaker).
    public var replica: String

    /// Creates a version.
    public init(hlc: HLCTimestamp, replica: String) {
        self.hlc = hlc
        self.replica = replica
    }

    /// Parses the stored form `<hlc>@<replica>`.
    public init?(_ text: String) {
        guard let at = text.firstIndex(of: "@"), let hlc = HLCTimestamp(String(text[..<at])) else {
            return nil
        }
        self.init(hlc: hlc, replica: String(text[text.index(after: at)...]))
    }

    /// The stored form.
    public var description: String { "\(hlc)@\(replica)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.hlc != rhs.hlc { return lhs.hlc < rhs.hlc }
        return lhs.replica < rhs.replica
    }
}
