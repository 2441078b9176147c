/// A hybrid logical clock timestamp: physical milliseconds plus a logical counter.
///
/// Ordered by `(physical, logical)`. Its wire form is fixed-width, `PPPPPPPPPPPPPPP-LLLLL`
/// (15 decimal digits of milliseconds since the epoch, a dash, 5 digits of counter), so the
/// text order of two timestamps is their time order.
public struct HLCTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public var physical: Int64
    /// Counter that orders events within one millisecond.
    public var logical: UInt16

    /// The length of the wire form.
    public static let width = 21

    /// The largest physical time the wire form can hold.
    public static let maxPhysical: Int64 = 999_999_999_999_999

    /// Creates a timestamp.
    public init(physical: Int64, logical: UInt16 = 0) {
        self.physical = physical
        self.logical = logical
    }

    /// Parses the wire form; `nil` when `text` is not exactly `15 digits - 5 digits`.
    public init?(_ text: String) {
        guard text.utf8.count == Self.width else { return nil }
        var physical: Int64 = 0
        var logical: Int = 0
        var index = 0
        for byte in text.utf8 {
            if index == 15 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte >= 48, byte <= 57 else { return nil }
                if index < 15 {
                    physical = physical * 10 + Int64(byte - 48)
                } else {
                    logical = logical * 10 + Int(byte - 48)
                }
            }
            index += 1
        }
        guard logical <= Int(UInt16.max) else { return nil }
        self.init(physical: physical, logical: UInt16(logical))
    }

    /// The fixed-width wire form.
    public var description: String {
        String(unsafeUninitializedCapacity: Self.width) { bytes in
            bytes[15] = UInt8(ascii: "-")
            var p = max(0, min(physical, Self.maxPhysical))
            for index in stride(from: 14, through: 0, by: -1) {
                bytes[index] = UInt8(48 + p % 10)
                p /= 10
            }
            var l = Int(logical)
            for index in stride(from: 20, through: 16, by: -1) {
                bytes[index] = UInt8(48 + l % 10)
                l /= 10
            }
            return Self.width
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.physical, lhs.logical) < (rhs.physical, rhs.logical)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = HLCTimestamp(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an HLC timestamp like 001764338515123-00000")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A hybrid logical clock (Kulkarni et al.) as a value type: one method per event.
///
/// `tick(now:)` stamps a local event; `receive(_:now:)` merges a timestamp seen from elsewhere.
/// Timestamps it returns are strictly increasing, even when the physical clock goes back.
public struct HybridLogicalClock: Sendable, Equatable {
    /// The last timestamp this clock issued or received.
    public private(set) var last: HLCTimestamp

    /// Creates a clock that will issue timestamps after `last`.
    public init(last: HLCTimestamp = HLCTimestamp(physical: 0)) {
        self.last = last
    }

    /// Issues a timestamp for a local event happening at physical time `now`.
    public mutating func tick(now: Int64) -> HLCTimestamp {
        if now > last.physical {
            last = HLCTimestamp(physical: now, logical: 0)
        } else {
            advanceLogical()
        }
        return last
    }

    /// Merges a timestamp received from another replica at physical time `now`.
    public mutating func receive(_ remote: HLCTimestamp, now: Int64) {
        let physical = max(now, last.physical, remote.physical)
        if physical == last.physical && physical == remote.physical {
            last = HLCTimestamp(physical: physical, logical: max(last.logical, remote.logical))
            advanceLogical()
        } else if physical == last.physical {
            advanceLogical()
        } else if physical == remote.physical {
            last = remote
            advanceLogical()
        } else {
            last = HLCTimestamp(physical: physical, logical: 0)
        }
    }

    /// Forgets everything after `timestamp`: the clock issues timestamps after it from now on.
    ///
    /// Used only when a replica learns its clock ran ahead and re-stamps its pending operations.
    public mutating func reset(to timestamp: HLCTimestamp) {
        last = timestamp
    }

    private mutating func advanceLogical() {
        if last.logical == UInt16.max {
            last = HLCTimestamp(physical: last.physical + 1, logical: 0)
        } else {
            last.logical += 1
        }
    }
}
