import Foundation
import Testing

@testable import Desk

/// Every user-facing string comes from one catalog per language, and no language lacks one.
@Suite("The desk's catalogs")
struct CatalogTests {
    @Test("each of the six languages has every key English has, and no other, none empty")
    func everyKeyInEveryLanguage() throws {
        let catalogs = try Catalog.all()
        #expect(Set(catalogs.keys) == ["ar", "en", "es", "fr", "ru", "zh"])
        let english = Set(try #require(catalogs["en"]).strings.keys)
        for (language, catalog) in catalogs {
            let keys = Set(catalog.strings.keys)
            #expect(english.subtracting(keys).sorted() == [], "missing in \(language)")
            #expect(keys.subtracting(english).sorted() == [], "only in \(language)")
            #expect(catalog.strings.filter { $0.value.isEmpty }.keys.sorted() == [], "empty in \(language)")
        }
    }

    @Test("every key a template names is in the catalogs")
    func templatesUseKnownKeys() throws {
        let english = try Catalog(language: "en")
        let folder = try #require(Catalog.resources).appendingPathComponent("templates")
        let pattern = try Regex(#"\{\{[#^/]?t\.([A-Za-z0-9_.]+)\}\}"#)
        var used: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let key = match.output[1].substring { used.insert(String(key)) }
            }
        }
        #expect(!used.isEmpty)
        #expect(used.filter { english.strings[$0] == nil }.sorted() == [])
    }

    @Test("a placeholder in English is in every translation of that string")
    func placeholdersKept() throws {
        let catalogs = try Catalog.all()
        let english = try #require(catalogs["en"])
        let pattern = try Regex(#"\{[a-z]+\}"#)
        for (key, text) in english.strings {
            let names = Set(text.matches(of: pattern).map { String(text[$0.range]) })
            for (language, catalog) in catalogs {
                let translated = catalog[key]
                let found = Set(translated.matches(of: pattern).map { String(translated[$0.range]) })
                #expect(found == names, "\(key) in \(language)")
            }
        }
    }

    @Test("Arabic is written right to left, the others left to right")
    func direction() throws {
        #expect(try Catalog(language: "ar").direction == "rtl")
        for language in ["en", "es", "fr", "ru", "zh"] { #expect(try Catalog(language: language).direction == "ltr") }
    }
}
