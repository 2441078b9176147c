import Shared
import Testing

@testable import Client

/// What the command line prints of other people's text: shown, never obeyed by the terminal.
@Suite("Terminal output")
struct TerminalOutputTests {
    @Test("escape sequences in text are printed as visible escapes, line feeds and tabs as they are")
    func escapes() {
        let clearScreen = "Threats\u{1B}[2J\u{1B}[H to the witness\u{7}"
        let shown = TerminalText.escaped(clearScreen)
        #expect(shown == "Threats\\u{1B}[2J\\u{1B}[H to the witness\\u{7}")
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 })
        #expect(TerminalText.escaped("one\n\ttwo") == "one\n\ttwo")
        #expect(TerminalText.escaped("back\rover") == "back\\u{D}over")
        #expect(TerminalText.escaped("csi\u{9B}31m nul\u{0}") == "csi\\u{9B}31m nul\\u{0}")
        #expect(TerminalText.escaped("عربي 中文 Ünïcödé") == "عربي 中文 Ünïcödé")
    }

    @Test("a value's own lines are indented under it, so they cannot pass for other columns")
    func recordLines() throws {
        let table = try #require(Schema.current.table("action"))
        let record = RowRendering.record(
            id: "0190d9a0-0000-7000-8000-000000000001",
            values: ["title": .text("Train judges\nstatus       completed"), "status": .text("planned")],
            table: table)
        let lines = record.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("status") }.count == 1)
        #expect(lines.contains { $0.hasPrefix(" ") && $0.contains("completed") })
    }
}
