import Client
import Foundation
import Shared
import TestSupport
import Testing
import ZIPFoundation

@testable import Client

/// A UHRI Excel export made from XML strings, in the shape OHCHR publishes.
enum UHRIWorkbook {
    /// The header row: as published ("Reccomending"), except one column spelt right.
    static let header = [
        "Text", "Countries Concerned", "Recommending Body", "Document Symbol", "Themes", "Affected Persons", "Sdgs",
        "Document Publication Date", "UPR Reccomending States", "UPR Position", "Type", "OHCHR Annotation Id",
        "UPR Session", "Regions Concerned", "Recommending Regions", "Date of publication on UHRI",
    ]

    /// One cell: a shared string (index into `strings`), an inline string or a number.
    enum Cell {
        case shared(Int)
        case inline(String)
        case number(String)
    }

    /// Shared strings; the first of the data rows is a rich-text run split in two.
    static let strings = [
        "<si><r><t xml:space=\"preserve\">Guarantee the independence </t></r><r><rPr><b/></rPr><t>of judges &amp; prosecutors.</t></r></si>",
        "<si><t>- Peru</t></si>",
    ]

    static func rows() -> [[Cell]] {
        let header = header.map { Cell.inline($0) }
        let upr: [Cell] = [
            .shared(0), .shared(1), .inline("- UPR"), .inline("A/HRC/52/6"),
            .inline("- Justice\n- Judiciary"), .inline("- General"), .inline("- 16.3 - Promote the rule of law"),
            .number("46078"), .inline("Guinea-Bissau-France-Narnia"), .inline("- Supported"),
            .inline("- Recommendations"), .inline("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"), .inline("43"),
            .inline("- Latin America and the Caribbean"), .inline("- African States\n- WEOG"), .number("46080.5"),
        ]
        let concern: [Cell] = [
            .inline("12.The Committee is concerned about child labour."), .inline("- Peru*\n- European Union"),
            .inline("- Committee on the Rights of the Child"), .inline("CRC/C/PER/CO/6-7"),
            .inline("- Child labour"), .inline("- Children"), .inline(""), .number("45700"), .inline(""),
            .inline(""), .inline("- Concerns/Observations"), .inline("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"),
            .inline(""), .inline(""), .inline(""), .number("45701"),
        ]
        let other: [Cell] = [
            .inline("Ratify the Optional Protocol."), .inline("- CL"), .inline("- SR Torture"),
            .inline("A/HRC/40/59/Add.3"), .inline(""), .inline(""), .inline(""), .number("43500"), .inline(""),
            .inline(""), .inline("- Recommendations"), .inline("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"), .inline(""),
            .inline(""), .inline(""), .number("43501"),
        ]
        return [header, upr, concern, other]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func column(_ index: Int) -> String {
        index < 26 ? String(UnicodeScalar(65 + index)!) : "A" + String(UnicodeScalar(65 + index - 26)!)
    }

    static func sheetXML() -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            """
        for (r, row) in rows().enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                let reference = "\(column(c))\(r + 1)"
                switch cell {
                case .shared(let index): xml += "<c r=\"\(reference)\" t=\"s\"><v>\(index)</v></c>"
                case .inline(let text) where text.isEmpty: continue
                case .inline(let text):
                    xml += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(escape(text))</t></is></c>"
                case .number(let value): xml += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                }
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
    }

    /// The parts of the workbook, by path.
    static func parts() -> [(String, String)] {
        let sheetNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        return [
            (
                "[Content_Types].xml",
                """
                <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>
                """
            ),
            (
                "xl/workbook.xml",
                """
                <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="\(sheetNS)" xmlns:r="\(relNS)"><sheets><sheet name="Export" sheetId="1" r:id="rId7"/></sheets></workbook>
                """
            ),
            (
                "xl/_rels/workbook.xml.rels",
                """
                <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="\(relNS)/worksheet" Target="worksheets/data.xml"/></Relationships>
                """
            ),
            (
                "xl/sharedStrings.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"\(sheetNS)\" count=\"\(strings.count)\">"
                    + strings.joined() + "</sst>"
            ),
            ("xl/worksheets/data.xml", sheetXML()),
        ]
    }

    /// Writes the workbook to `path` with ZIPFoundation.
    static func write(to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, text) in parts() {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }
}

@Suite("Importing UHRI exports")
struct UHRIImportTests {
    static let fixture = TestData.fixtures.appendingPathComponent("uhri-export-full-en.json")

    static func mechanismCodes(_ replica: Replica) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try replica.rows("mechanism").map { ($0.id, $0.values["code"]?.description ?? "") })
    }

    @Test("the JSON full export: every field mapped, one State kept, the others counted, idempotent")
    func jsonFullExport() async throws {
        let server = try await InProcessServer()
        let (replica, _) = try await ImportTests.secretariat(server)
        let file = try ImportFile(path: Self.fixture.path)
        var steps: [ImportStep] = []
        let report = try replica.importRecommendations(
            from: file, format: .uhri, scope: .state("PER"), skipInvalid: false
        ) { steps.append($0) }
        #expect(report == ImportReport(read: 9, new: 4, updated: 0, unchanged: 0, invalid: [], otherStates: 5))
        let size = file.size
        #expect(steps.first == .reading(path: file.path, bytesRead: 0, totalBytes: size))
        #expect(steps.contains(.reading(path: file.path, bytesRead: size, totalBytes: size)))
        #expect(steps.last == .importing(records: 4))

        let rows = try replica.rows("recommendation")
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.values["state_under_review"] == .text("PER") })
        let codes = try Self.mechanismCodes(replica)
        func row(_ id: String) throws -> [String: FieldValue] {
            try #require(rows.first { $0.values["uhri_id"] == .text(id) }).values
        }
        let crc = try row("a9ceae8c-fe1c-40f9-a326-1529e0ab678f")
        #expect(crc["paragraph"] == .text("4"))
        #expect(
            crc["text"]
                == .text(
                    "The Committee reminds the State party of the indivisibility [...] of all the rights enshrined in the Convention (para. 45)."
                ))
        #expect(crc["kind"] == .text("concern"))
        #expect(codes[crc["mechanism_id"]?.description ?? ""] == "CRC")
        #expect(crc["document_symbol"] == .text("CRC/C/PER/CO/6-7"))
        #expect(crc["document_id"] == .text("41a0b08f-5a9a-4eb5-985f-05b47986ad82"))
        #expect(crc["date"] == .text("2025-02-12"))
        #expect(crc["language"] == .text("en"))
        #expect(crc["sdg_targets"] == .list(["16.2", "5.2"]))
        #expect(crc["themes"] == .list(["Violence against women", "Rights related to name, identity & nationality"]))
        #expect(crc["affected_persons"] == .list(["Disappeared persons", "Children", "Women & girls"]))
        #expect(crc["position"] == nil && crc["session"] == nil && crc["cycle"] == nil)

        let upr = try row("0b2d3c4e-5f60-4718-8a9b-0c1d2e3f4a5b")
        #expect(codes[upr["mechanism_id"]?.description ?? ""] == "UPR")
        #expect(upr["kind"] == .text("recommendation"))
        #expect(upr["paragraph"] == .text("111.12"))
        #expect(
            upr["text"]
                == .text(
                    "Strengthen the independence of the national human rights institution in line with the Paris Principles – and ensure the Ombudsman’s funding & staff"
                ))
        #expect(upr["position"] == .text("supported"))
        #expect(upr["position_source"] == .text("UHRI"))
        #expect(upr["recommending_states"] == .list(["FRA", "PSE"]))
        #expect(upr["session"] == .integer(28))
        #expect(upr["cycle"] == .integer(3))
        #expect(upr["sdg_targets"] == .list(["16"]))
        #expect(upr["document_id"] == nil)

        let fullName = try row("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")
        #expect(codes[fullName["mechanism_id"]?.description ?? ""] == "CRC")
        #expect(fullName["paragraph"] == .text("7"))
        #expect(fullName["text"] == .text("Take all necessary measures to ensure that children's birth is registered."))
        #expect(fullName["sdg_targets"] == .list(["4", "4.1"]))

        let albinism = try row("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d")
        #expect(codes[albinism["mechanism_id"]?.description ?? ""] == "SP:IE Albinism")
        #expect(albinism["state_under_review"] == .text("PER"))  // the kept State, though Bolivia comes first

        // The CLI upper-cases the mechanism it is given; the filter matches whatever the case.
        var filter = RecommendationFilter()
        filter.mechanism = "SP:IE ALBINISM"
        #expect(
            try replica.recommendations(filter).map(\.id) == [
                try #require(rows.first { $0.values["uhri_id"] == .text("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d") }).id
            ])
        filter.mechanism = "crc"
        #expect(try replica.recommendations(filter).count == 2)

        let again = try replica.importRecommendations(
            from: file, format: .uhri, scope: .state("PER"), skipInvalid: false)
        #expect(again == ImportReport(read: 9, new: 0, updated: 0, unchanged: 4, invalid: [], otherStates: 5))
    }

    @Test("every State: ISO-2 codes, asterisks, the European Union and no State at all")
    func allStates() async throws {
        let parsed = try ImportFormat.uhri.parse(try ImportFile(path: Self.fixture.path), scope: .allStates)
        #expect(parsed.otherStates == 0 && parsed.invalid.isEmpty && parsed.records.count == 9)
        func record(_ id: String) throws -> ImportedRecommendation {
            try #require(parsed.records.first { $0.key == id })
        }
        let pakistan = try record("3c1e2f4a-7b8c-4d9e-8f0a-1b2c3d4e5f60")
        #expect(pakistan.fields["state_under_review"] == .text("PAK"))
        #expect(pakistan.fields["position"] == .text("noted"))
        #expect(pakistan.fields["session"] == .integer(42))
        #expect(pakistan.fields["cycle"] == .integer(4))  // from the session: UprCycle is null
        #expect(pakistan.fields["recommending_states"] == .list(["BEL"]))
        let palestine = try record("7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f")
        #expect(palestine.fields["state_under_review"] == .text("PSE"))
        #expect(palestine.mechanism == "SP:SR Torture")
        #expect(
            palestine.fields["text"]
                == .text(
                    "The Special Rapporteur notes the \"rules {art. 3}\" and [brackets] at the détention centre 😀 \\ end."
                ))
        let albinism = try record("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d")
        #expect(albinism.fields["state_under_review"] == .text("BOL"))
        for id in [
            "8d9e0f1a-2b3c-4d4e-8f5a-6b7c8d9e0f1a", "9e0f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b",
            "0f1a2b3c-4d5e-4f6a-8b7c-8d9e0f1a2b3c",
        ] {
            #expect(try record(id).fields["state_under_review"] == nil, "\(id)")  // EU, none, Kosovo*
        }
        let pakistanOnly = try ImportFormat.uhri.parse(try ImportFile(path: Self.fixture.path), scope: .state("PAK"))
        #expect(pakistanOnly.records.map(\.key) == ["3c1e2f4a-7b8c-4d9e-8f0a-1b2c3d4e5f60"])
        #expect(pakistanOnly.otherStates == 8)
        #expect(UHRIFormat.language(ofFileNamed: "/tmp/export-full-fr.json") == "fr")
        #expect(UHRIFormat.language(ofFileNamed: "export-full-zh.xlsx") == "zh")
        #expect(UHRIFormat.language(ofFileNamed: "uhri-export-full-en.json") == "en")
        #expect(UHRIFormat.language(ofFileNamed: "export-full.json") == "en")
        let french = try ImportFormat.uhri.parse(
            ImportFile(path: "export-full-fr.json", data: try Data(contentsOf: Self.fixture)), scope: .state("PER"))
        #expect(french.records.allSatisfy { $0.fields["language"] == .text("fr") })
    }

    @Test("a UPR Info export keeps the rows whose To is the State, and counts the others")
    func uprInfoScope() async throws {
        let file = try ImportFile(path: TestData.fixtures.appendingPathComponent("upr-info-sample.csv").path)
        let chad = try ImportFormat.uprInfo.parse(file, scope: .state("TCD"))
        #expect(chad.records.count == 3 && chad.invalid.isEmpty && chad.otherStates == 2)
        #expect(chad.records.allSatisfy { $0.fields["state_under_review"] == .text("TCD") })
        let server = try await InProcessServer()
        let (replica, _) = try await ImportTests.secretariat(server)
        let report = try replica.importRecommendations(
            from: file, format: .uprInfo, scope: .state("BRA"), skipInvalid: false)
        #expect(report == ImportReport(read: 5, new: 1, updated: 0, unchanged: 0, invalid: [], otherStates: 4))
        let encoded = String(decoding: try WireCoding.encoder().encode(report), as: UTF8.self)
        #expect(encoded.contains(#""other_states":4"#))
    }

    @Test("the stream splits elements alike whatever the chunk size, strings with brackets and escapes included")
    func streamingChunks() throws {
        let data = try Data(contentsOf: Self.fixture)
        let file = ImportFile(path: "export.json", data: data)
        let whole = try UHRIFormat.parse(file, scope: .allStates, language: "en", chunkSize: 1 << 20)
        for size in [1, 7, 64, 1000] {
            let parsed = try UHRIFormat.parse(file, scope: .allStates, language: "en", chunkSize: size)
            #expect(parsed == whole, "chunk size \(size)")
        }
        let tricky = #"""
            [ {"a": "}{][,", "b": "\"}\\", "c": "\u007d\u005b"} , "scalar \" ]", 12.5,true ,null,[1,[2]],{}]
            """#
        let elements = try Self.elements(Data(tricky.utf8), chunkSize: 3)
        #expect(
            elements == [
                #"{"a": "}{][,", "b": "\"}\\", "c": "\u007d\u005b"}"#, #""scalar \" ]""#, "12.5", "true", "null",
                "[1,[2]]", "{}",
            ])
        let object = try JSONSerialization.jsonObject(with: Data(elements[0].utf8)) as? [String: String]
        #expect(object == ["a": "}{][,", "b": "\"}\\", "c": "}["])
        #expect(try Self.elements(Data("\u{FEFF}[]".utf8), chunkSize: 2).isEmpty)
        for broken in ["", "  ", "{\"a\": 1}", "[{\"a\": \"]\"}", "[1] 2"] {
            #expect(throws: ReplicaError.self, "\(broken)") { try Self.elements(Data(broken.utf8), chunkSize: 2) }
        }
    }

    static func elements(_ data: Data, chunkSize: Int) throws -> [String] {
        try ImportFile(path: "x.json", data: data).withChunks { read in
            let stream = JSONArrayStream(chunkSize: chunkSize, read: read)
            var elements: [String] = []
            while let element = try stream.next() { elements.append(String(decoding: element, as: UTF8.self)) }
            return elements
        }
    }

    @Test("the Excel export: shared and inline strings, serial dates, dashed lines, joined recommending States")
    func excelExport() async throws {
        let directory = try temporaryDirectory("uhri-xlsx")
        let path = directory + "/export-search-es.xlsx"
        try UHRIWorkbook.write(to: path)
        let file = try ImportFile(path: path)
        #expect(file.isZipArchive)
        let parsed = try ImportFormat.uhri.parse(file, scope: .state("PER"))
        #expect(parsed.invalid.isEmpty, "\(parsed.invalid)")
        #expect(parsed.otherStates == 1)
        #expect(parsed.records.count == 2)
        let upr = try #require(parsed.records.first { $0.key == "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" })
        #expect(upr.mechanism == "UPR")
        #expect(upr.fields["text"] == .text("Guarantee the independence of judges & prosecutors."))
        #expect(upr.fields["state_under_review"] == .text("PER"))
        #expect(upr.fields["date"] == .text("2026-02-25"))
        #expect(upr.fields["themes"] == .list(["Justice", "Judiciary"]))
        #expect(upr.fields["affected_persons"] == .list(["General"]))
        #expect(upr.fields["sdg_targets"] == .list(["16.3"]))
        #expect(upr.fields["recommending_states"] == .list(["GNB", "FRA"]))
        #expect(upr.fields["position"] == .text("supported"))
        #expect(upr.fields["position_source"] == .text("UHRI"))
        #expect(upr.fields["session"] == .integer(43))
        #expect(upr.fields["cycle"] == .integer(4))
        #expect(upr.fields["language"] == .text("es"))
        #expect(upr.fields["document_symbol"] == .text("A/HRC/52/6"))
        let concern = try #require(parsed.records.first { $0.key == "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e" })
        #expect(concern.mechanism == "CRC")
        #expect(concern.fields["kind"] == .text("concern"))
        #expect(concern.fields["paragraph"] == .text("12"))
        #expect(concern.fields["text"] == .text("The Committee is concerned about child labour."))
        #expect(concern.fields["position"] == nil)

        // Bytes in memory are told by their zip signature; the CLI imports the file for one State.
        let bytes = ImportFile(path: "upload", data: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.isZipArchive)
        #expect(try ImportFormat.uhri.parse(bytes, scope: .allStates).records.count == 3)

        let server = try await InProcessServer()
        let replicaDirectory = try temporaryDirectory("uhri-xlsx-replica")
        let (replica, _) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: replicaDirectory)
        try await followup(["--replica", replicaDirectory, "import", "uhri", path, "--state", "per"])
        #expect(try replica.rows("recommendation").count == 2)
        try await followup(["--replica", replicaDirectory, "import", "uhri", path, "--all-states"])
        #expect(try replica.rows("recommendation").count == 3)
        await #expect(throws: (any Error).self) {
            try await followup(["--replica", replicaDirectory, "import", "uhri", path, "--state", "Peru"])
        }
    }
}
