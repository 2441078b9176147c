import Foundation
import Shared
import TestSupport
import Testing

@testable import Client

/// `followup export recommendations` (issue 13): the tracking table as CSV, JSON and XLSX.
@Suite("Exports of the tracking table")
struct ExportTests {
    /// The records of an RFC 4180 text (quoted fields may hold commas, quotes and line breaks).
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                record.append(field)
                records.append(record)
                (record, field) = ([], "")
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty { records.append(record + [field]) }
        return records
    }

    @Test("the CSV holds every column of each recommendation, quoted as RFC 4180 says")
    func csvColumns() async throws {
        let fixture = try await PublishedWorkFixture.make("export-csv")
        let table = try fixture.secretariat.trackingTable(RecommendationFilter())
        let csv = table.csv()
        #expect(csv.hasSuffix("\r\n"))
        let records = Self.records(csv)
        #expect(records.first == TrackingTable.columns.map(\.key))
        #expect(records.count == 6)
        #expect(records.dropFirst().allSatisfy { $0.count == TrackingTable.columns.count })
        let byID = Dictionary(uniqueKeysWithValues: records.dropFirst().map { ($0[0], $0) })
        func value(_ id: String, _ column: String) -> String? {
            byID[id]?[TrackingTable.columns.firstIndex { $0.key == column }!]
        }
        let first = fixture.recommendations[0]
        #expect(value(first, "text") == "Criminalise torture, as the \"Convention\" defines it")
        #expect(csv.contains("\"Criminalise torture, as the \"\"Convention\"\" defines it\""))
        #expect(
            value(fixture.recommendations[2], "text") == "Raise the minimum age of marriage to 18\nfor girls and boys")
        #expect(value(first, "document_symbol") == "A/HRC/36/6")
        #expect(value(first, "mechanism") == "UPR")
        #expect(value(first, "session") == "27")
        #expect(value(first, "recommending_states") == "FRA; BRA")
        #expect(value(first, "clusters") == "Torture prevention")
        #expect(value(first, "lead_institutions") == "Ministry of Justice")
        #expect(value(first, "status") == "in_progress")
        #expect(value(first, "nhri_rating") == "partial")
        // The table holds what the replica holds: the secretariat's holds the ministry's drafts.
        #expect(value(first, "latest_progress")?.hasSuffix("Progress HIDDENONDRAFT") == true)
        #expect(value(fixture.recommendations[4], "mechanism") == "CEDAW")
        // The NHRI's replica holds submitted and published work; its draft rating shows nowhere.
        let nhri = Self.records(try fixture.nhri.trackingTable(RecommendationFilter()).csv())
        let progress = TrackingTable.columns.firstIndex { $0.key == "latest_progress" }!
        #expect(
            nhri.first { $0[0] == first }?[progress] == "2026-11-02 Draft circulated to the bar SHOWNPROGRESS")
        #expect(!nhri.joined().joined().contains("limited"))
        #expect(table.csv(byteOrderMark: true).hasPrefix("\u{FEFF}id,"))
    }

    @Test("XLSX converted to CSV by LibreOffice equals the CSV export")
    func xlsxMatchesCSV() async throws {
        let fixture = try await PublishedWorkFixture.make("export-xlsx")
        let directory = try temporaryDirectory("export-xlsx-out")
        let xlsx = directory + "/recommendations.xlsx"
        try await followup([
            "--replica", fixture.secretariatDirectory, "export", "recommendations", "--format", "xlsx", "--out", xlsx,
        ])
        let converted = try LibreOffice.convert(
            xlsx, to: "csv:Text - txt - csv (StarCalc):44,34,76,1", in: directory)
        let fromExcel = Self.records(try String(contentsOfFile: converted, encoding: .utf8))
        let csv = try fixture.secretariat.trackingTable(RecommendationFilter()).csv()
        #expect(fromExcel == Self.records(csv))
        #expect(fromExcel.count == 6)
    }

    @Test("JSON keeps lists as arrays; the filters of recs list apply; the command writes a file")
    func jsonAndFilters() async throws {
        let fixture = try await PublishedWorkFixture.make("export-json")
        var filter = RecommendationFilter()
        filter.mechanism = "CEDAW"
        let cedaw = try fixture.secretariat.trackingTable(filter)
        #expect(cedaw.rows.count == 1)
        let objects = try #require(
            try JSONSerialization.jsonObject(with: try cedaw.encoded(as: .json)) as? [[String: Any]])
        #expect(objects.first?["id"] as? String == fixture.recommendations[4])
        #expect(objects.first?["sdg_targets"] as? [String] == ["16.3"])
        #expect(objects.first?["session"] is NSNull)

        let directory = try temporaryDirectory("export-json-out")
        let out = directory + "/cycle3.csv"
        try await followup([
            "--replica", fixture.secretariatDirectory, "export", "recommendations", "--format", "csv", "--cycle", "3",
            "--institution", "moj", "--out", out, "--bom",
        ])
        let records = Self.records(try String(contentsOfFile: out, encoding: .utf8))
        #expect(Set(records.dropFirst().map(\.[0])) == Set(fixture.recommendations[0..<3]))
    }

    @Test("an export holds every row: no hidden limit")
    func everyRow() async throws {
        let server = try await InProcessServer()
        let (replica, _) = try await server.replica(user: "sara", org: "nmirf", clock: SystemWallClock())
        let count = 2_500
        _ = try replica.put(
            "recommendation",
            rows: (0..<count).map { (nil, ["text": .text("Recommendation \($0), with a comma")]) })
        let table = try replica.trackingTable(RecommendationFilter())
        #expect(table.rows.count == count)
        #expect(Self.records(table.csv()).count == count + 1)
        let json = try #require(try JSONSerialization.jsonObject(with: try table.encoded(as: .json)) as? [Any])
        #expect(json.count == count)
    }

    @Test("column letters run A to Z, then AA")
    func columnLetters() {
        #expect(TrackingTable.columnLetters(0) == "A")
        #expect(TrackingTable.columnLetters(25) == "Z")
        #expect(TrackingTable.columnLetters(26) == "AA")
        #expect(TrackingTable.cellReference(column: 16, row: 7) == "Q7")
        #expect(TrackingTable.csvField(" padded") == "\" padded\"")
        #expect(TrackingTable.csvField("plain") == "plain")
    }
}
