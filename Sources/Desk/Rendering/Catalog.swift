import Foundation
import Shared

/// One language's user-facing strings, from `Resources/catalogs/LANG.json`.
public struct Catalog: Sendable {
    /// The six UN languages, by code.
    public static let languages = ["ar", "en", "es", "fr", "ru", "zh"]
    /// The language of a user who chose none.
    public static let defaultLanguage = "en"

    /// The language's code.
    public let language: String
    /// The strings by key.
    public let strings: [String: String]

    /// Reads the catalog of `language` from the module's resources.
    public init(language: String) throws {
        guard let url = Self.resources?.appendingPathComponent("catalogs/\(language).json") else {
            throw CatalogError(language: language)
        }
        self.language = language
        self.strings = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
    }

    /// Every catalog, by language code.
    public static func all() throws -> [String: Catalog] {
        try Dictionary(uniqueKeysWithValues: languages.map { ($0, try Catalog(language: $0)) })
    }

    /// The module's `Resources` folder (copied whole into the bundle, whose layout differs
    /// between platforms).
    static let resources: URL? = {
        let bundle = Bundle.module
        let candidates = [
            bundle.bundleURL.appendingPathComponent("Resources"),
            bundle.resourceURL?.appendingPathComponent("Resources"),
            bundle.resourceURL,
        ]
        return candidates.compactMap { $0 }.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("catalogs").path)
        }
    }()

    /// `rtl` for Arabic, `ltr` otherwise.
    public var direction: String { language == "ar" ? "rtl" : "ltr" }

    /// The string for `key`; the key itself when the catalog lacks it (the catalog test fails first).
    public subscript(_ key: String) -> String { strings[key] ?? key }

    /// The string for `key` with each `{name}` replaced by its value.
    public func text(_ key: String, _ values: [String: String]) -> String {
        values.reduce(self[key]) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// `number` as the language writes it.
    public func number(_ number: Int) -> String {
        number.formatted(.number.locale(Locale(identifier: language)))
    }

    /// A stored number (an integer or a real) as the language writes it; any other value as it is.
    public func number(_ value: FieldValue?) -> String {
        switch value {
        case .integer(let integer)?: integer.formatted(.number.locale(Locale(identifier: language)))
        case .real(let real)?: real.formatted(.number.locale(Locale(identifier: language)))
        case let other?: other.description
        case nil: ""
        }
    }

    /// A size in bytes as the language writes it (`1.2 MB`, `1,2 Mo`).
    public func byteCount(_ bytes: Int64) -> String {
        bytes.formatted(.byteCount(style: .file).locale(Locale(identifier: language)))
    }

    /// A moment (milliseconds since 1970) as the language writes a date and time.
    public func moment(millis: Int64) -> String {
        Date(timeIntervalSince1970: Double(millis) / 1000).formatted(
            Date.FormatStyle(date: .abbreviated, time: .shortened).locale(Locale(identifier: language)))
    }

    /// A calendar date `YYYY-MM-DD` as the language writes it; the text itself when it is no date.
    public func date(_ text: String) -> String {
        guard let date = try? Date(text + "T12:00:00Z", strategy: .iso8601) else { return text }
        return date.formatted(Date.FormatStyle(date: .long, time: .omitted).locale(Locale(identifier: language)))
    }
}

/// A language whose catalog is not among the module's resources.
public struct CatalogError: Error, Sendable {
    /// The language.
    public var language: String
}
