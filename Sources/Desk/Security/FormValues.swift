import Foundation

/// The fields of a form posted as `application/x-www-form-urlencoded`.
public struct FormValues: Sendable, Equatable {
    private struct Pair: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var storage: [Pair] = []

    /// No fields.
    public init() {}

    /// The fields `pairs` names, in order.
    public init(pairs: [(name: String, value: String)]) {
        storage = pairs.map { Pair(name: $0.name, value: $0.value) }
    }

    /// Parses an URL-encoded body (`a=1&b=x+y`).
    public init(urlEncoded body: String) {
        storage = body.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return Pair(name: decode(pieces[0]), value: pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }

    /// The first value of field `name`, trimmed; nil when missing or blank.
    public subscript(_ name: String) -> String? {
        guard let value = storage.first(where: { $0.name == name })?.value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Every non-blank value of field `name`.
    public func values(_ name: String) -> [String] {
        storage.filter { $0.name == name }.map(\.value).filter { !$0.isEmpty }
    }
}
