import Foundation
import Mustache

/// The templates (`Resources/templates/*.mustache`) and the six catalogs, loaded once.
///
/// Every value reaches the page through `{{name}}`, which escapes HTML; no template uses the
/// unescaped forms.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// The catalogs by language.
    public let catalogs: [String: Catalog]

    /// Loads the templates and catalogs from the module's resources.
    public init() throws {
        var library = MustacheLibrary()
        let folder = Catalog.resources!.appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        self.library = library
        self.catalogs = try Catalog.all()
    }

    /// The catalog of `language`, English when there is none.
    public func catalog(_ language: String) -> Catalog {
        catalogs[language] ?? catalogs[Catalog.defaultLanguage]!
    }

    /// Renders template `name` with `values`; empty texts count as missing, so that a
    /// `{{#name}}` section shows only when there is something to show.
    public func render(_ name: String, _ values: [String: Any]) -> String {
        library.render(Self.pruned(values) ?? [:], withTemplate: name) ?? ""
    }

    /// `value` without its empty texts, at every depth.
    static func pruned(_ value: Any) -> Any? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let object as [String: Any]: object.compactMapValues(pruned)
        case let list as [Any]: list.compactMap(pruned)
        default: value
        }
    }
}
