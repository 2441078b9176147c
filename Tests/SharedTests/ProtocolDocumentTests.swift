import Foundation
import Shared
import TestSupport
import Testing

/// Checks that the documents of `protocol/` say what the code does.
@Suite("The protocol documents match the code")
struct ProtocolDocumentTests {
    /// The repository's `protocol` folder.
    static var protocolDirectory: URL { GoldenVectors.directory.deletingLastPathComponent() }

    /// The repository's `Tests` folder.
    static var testsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("protocol/SCHEMA.md shows the schema the code uses")
    func schemaDocumented() throws {
        let path = Self.protocolDirectory.appendingPathComponent("SCHEMA.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- BEGIN GENERATED: Schema.current.markdownTables -->\n"))
        let end = try #require(text.range(of: "<!-- END GENERATED -->", range: begin.upperBound..<text.endIndex))
        #expect(String(text[begin.upperBound..<end.lowerBound]) == Schema.current.markdownTables)
    }

    @Test("every test cited in protocol/INVARIANTS.md exists")
    func citedTestsExist() throws {
        let invariants = try String(
            contentsOf: Self.protocolDirectory.appendingPathComponent("INVARIANTS.md"), encoding: .utf8)
        let cited = Self.citedTestNames(in: invariants)
        #expect(!cited.isEmpty, "no test citation found in INVARIANTS.md: has its citation form changed?")
        let declared = Self.declaredNames(in: try Self.testSources())
        let missing = cited.filter { !declared.contains($0) }
        let list = missing.map { "- \"\($0)\"" }.joined(separator: "\n")
        #expect(missing.isEmpty, "INVARIANTS.md cites tests that no @Test or @Suite under Tests/ names:\n\(list)")
    }

    /// The text of every Swift file under `Tests/`, concatenated.
    static func testSources() throws -> String {
        let root = testsDirectory.path
        var text = ""
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root).sorted()
        for path in paths where path.hasSuffix(".swift") {
            text += try String(contentsOfFile: root + "/" + path, encoding: .utf8) + "\n"
        }
        return text
    }

    /// The names given to `@Test(` and `@Suite(` in `sources`, the name being the first argument when
    /// it is a string literal (on the same line or the next: `@Test(\n    "name", arguments: …)`).
    static func declaredNames(in sources: String) -> Set<String> {
        let text = Array(sources)
        var names: Set<String> = []
        var index = 0
        while let attribute = text[index...].firstIndex(of: "@") {
            index = attribute + 1
            let rest = text[index...]
            guard let prefix = ["Test(", "Suite("].first(where: { rest.starts(with: $0) }) else { continue }
            var start = index + prefix.count
            while start < text.count, text[start].isWhitespace { start += 1 }
            guard start < text.count, text[start] == "\"" else { continue }
            var end = start + 1
            while end < text.count, text[end] != "\"" || text[end - 1] == "\\" { end += 1 }
            guard end < text.count else { break }
            names.insert(String(text[(start + 1)..<end]))
            index = end + 1
        }
        return names
    }

    /// The test names `markdown` cites, each once, in the order of their first citation.
    ///
    /// A citation is a code span naming a suite or its file (`` `MergeTests` `` or
    /// `` `MergeTests.swift` ``) followed by one or more quoted test names, which may be joined by
    /// "and", "," or ";" and each followed by a parenthesised remark (whose own quotes, such as a
    /// vector's case name, are not test names). Line breaks and indentation inside a name count
    /// as one space, since the document wraps long names.
    static func citedTestNames(in markdown: String) -> [String] {
        let text = Array(markdown.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        func skipSpaces(_ start: Int) -> Int {
            var index = start
            while index < text.count, text[index] == " " { index += 1 }
            return index
        }
        func pastParentheses(_ start: Int) -> Int {
            var depth = 0
            var index = start
            while index < text.count {
                if text[index] == "(" {
                    depth += 1
                } else if text[index] == ")" {
                    depth -= 1
                    if depth == 0 { return index + 1 }
                }
                index += 1
            }
            return index
        }
        var names: [String] = []
        var index = 0
        while index < text.count {
            guard text[index] == "`", let close = text[(index + 1)...].firstIndex(of: "`") else {
                index += 1
                continue
            }
            var span = String(text[(index + 1)..<close])
            index = close + 1
            if span.hasSuffix(".swift") { span = String(span.dropLast(".swift".count)) }
            span = String(span.split(separator: "/").last ?? "")
            guard span.hasSuffix("Tests"), span.allSatisfy({ $0.isLetter || $0.isNumber }) else { continue }
            while true {
                let quote = skipSpaces(index)
                guard quote < text.count, text[quote] == "\"",
                    let end = text[(quote + 1)...].firstIndex(of: "\"")
                else { break }
                names.append(String(text[(quote + 1)..<end]))
                index = skipSpaces(end + 1)
                if index < text.count, text[index] == "(" { index = skipSpaces(pastParentheses(index)) }
                if text[index...].starts(with: "and ") {
                    index += 4
                } else if index < text.count, text[index] == "," || text[index] == ";",
                    skipSpaces(index + 1) < text.count, text[skipSpaces(index + 1)] == "\""
                {
                    index += 1
                } else {
                    break
                }
            }
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
