import Foundation

/// Time-ordered identifiers (RFC 9562 UUID version 7) for rows, operations and replicas.
///
/// The first 48 bits are the Unix time in milliseconds, so ids created later sort later and
/// SQLite's B-trees append instead of splitting pages at random.
public enum UUIDv7 {
    /// A new lowercase UUIDv7 string for time `millis` (the system time by default).
    public static func make(millis: Int64 = SystemWallClock().nowMillis()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(millis: millis, using: &generator)
    }

    /// A new lowercase UUIDv7 string for time `millis`, with random bits from `generator`.
    public static func make<G: RandomNumberGenerator>(millis: Int64, using generator: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let time = UInt64(max(0, millis)) & 0xFFFF_FFFF_FFFF
        for index in 0..<6 {
            bytes[index] = UInt8((time >> (8 * UInt64(5 - index))) & 0xFF)
        }
        let random1 = generator.next() as UInt64
        let random2 = generator.next() as UInt64
        for index in 6..<16 {
            let source = index < 12 ? random1 : random2
            bytes[index] = UInt8((source >> (8 * UInt64(index % 8))) & 0xFF)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return uuid.uuidString.lowercased()
    }
}
