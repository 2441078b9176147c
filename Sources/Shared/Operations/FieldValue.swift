import Foundation

/// A scalar value of one field, as carried by operations and stored in SQLite.
///
/// JSON `null`, booleans, integers, other numbers, strings and arrays of strings map to the
/// cases in that order; objects and arrays of anything else are not field values.
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case text(String)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first: they are most values, and each failed probe throws (costly under a debugger
        // or a test runner that records a backtrace for every thrown error).
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .real(value)
        } else if let value = try? container.decode([String].self) {
            self = .list(value)
        } else {
            throw DecodingError.typeMismatch(
                FieldValue.self,
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "a field value must be null, a boolean, a number, a string or an array of strings"
                ))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .real(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }

    /// A short human-readable rendering (strings without quotes, null as empty).
    public var description: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        case .list(let value): value.joined(separator: "; ")
        }
    }

    /// The stored form of a list: a compact JSON array of strings.
    public static func listJSON(_ items: [String]) -> String {
        let data = (try? JSONEncoder().encode(items)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
