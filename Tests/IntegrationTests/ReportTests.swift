import Foundation
import Shared
import TestSupport
import Testing
import ZIPFoundation

@testable import Client

/// Reports to the UN (issue 13): Word documents that LibreOffice opens, holding the published
/// work and nothing else.
@Suite("Reports to the UN")
struct ReportTests {
    /// The report's DOCX written to a fresh directory, converted to PDF by LibreOffice, as text.
    static func pdfText(_ report: Report, language: String = "en") throws -> (text: String, docx: Data) {
        let directory = try temporaryDirectory("report-pdf")
        let docx = try report.docx(try ReportCatalog(language: language))
        let path = directory + "/report.docx"
        try docx.write(to: URL(fileURLWithPath: path))
        let pdf = try LibreOffice.convert(path, to: "pdf", in: directory)
        return (try LibreOffice.text(ofPDF: pdf), docx)
    }

    /// The text of part `path` of a zipped package.
    static func part(_ path: String, of package: Data) throws -> String {
        let archive = try Archive(data: package, accessMode: .read)
        let entry = try #require(archive[path])
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Unwraps what LibreOffice's layout splits across lines, for matching phrases.
    static func flat(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(
        "the UPR mid-term report holds the cycle's published actions, indicators, progress and NHRI rating, and nothing unpublished"
    )
    func uprMidterm() async throws {
        let fixture = try await PublishedWorkFixture.make("report-upr")
        let report = try fixture.secretariat.report(.uprMidterm(cycle: 3), date: "2027-01-15")
        #expect(report.sections.map(\.cluster) == ["Torture prevention", nil])
        #expect(report.entries.map(\.id) == Array(fixture.recommendations[0..<3]))
        let first = try #require(report.entries.first)
        #expect(first.actions.map(\.title) == [PublishedWorkFixture.Shown.action])
        #expect(first.indicators.map(\.latestValue) == [1])
        #expect(first.status == .inProgress)
        #expect(report.entries[2].status == .noAction)

        let (text, docx) = try Self.pdfText(report)
        let flat = Self.flat(text)
        for expected in [
            "Mid-term report", "Contents", "Torture prevention", "A/HRC/36/6 ¶ 128.1", "128.2", "128.3",
            "SHOWNACTION", "SHOWNINDICATOR", "SHOWNPROGRESS", "SHOWNRATIONALE", "Partially implemented",
            "National Human Rights Commission", "Ministry of Justice", "Implementation matrix",
            "Responsible institution",
            "50000 USD", "2027-06-30", "France, Brazil", "Supported", "Noted", "In progress",
        ] {
            #expect(flat.contains(expected), "the PDF lacks \(expected)")
        }
        #expect(!text.contains("HIDDEN"))
        #expect(!text.contains("OTHERCYCLE"))
        #expect(!text.contains("discrimination against women"))
        // Headings, styles and the contents field are Word's own.
        let body = try Self.part("word/document.xml", of: docx)
        #expect(body.contains("<w:pStyle w:val=\"Heading1\"/>"))
        #expect(body.contains(" TOC \\o \"1-2\""))
        #expect(try Self.part("word/styles.xml", of: docx).contains("w:styleId=\"NHRIAssessment\""))
    }

    @Test("a treaty body's and an institution's reports, made on the NHRI's replica, leave out its own drafts")
    func treatyBodyAndInstitution() async throws {
        let fixture = try await PublishedWorkFixture.make("report-nhri")
        // The NHRI's replica holds its draft assessment and the ministry's submitted action.
        #expect(try fixture.nhri.rows("assessment").contains { $0.values["rationale"] == .text("HIDDENRATIONALE") })
        #expect(try fixture.nhri.rows("action").contains { $0.values["title"] == .text("Action HIDDENSUBMITTED") })

        let cedaw = try fixture.nhri.report(.treatyBody("cedaw"))
        #expect(cedaw.entries.map(\.id) == [fixture.recommendations[4]])
        let (cedawText, _) = try Self.pdfText(cedaw)
        #expect(Self.flat(cedawText).contains("SHOWNCEDAW"))
        #expect(Self.flat(cedawText).contains("CEDAW/C/XYZ/CO/7"))
        #expect(!cedawText.contains("HIDDEN"))

        let institution = try fixture.nhri.report(.institution("moj"))
        #expect(
            Set(institution.entries.map(\.id)) == Set(fixture.recommendations[0..<3] + [fixture.recommendations[4]]))
        let (text, _) = try Self.pdfText(institution)
        let flat = Self.flat(text)
        for expected in ["Ministry of Justice", "SHOWNACTION", "SHOWNCEDAW", "SHOWNRATIONALE", "128.3"] {
            #expect(flat.contains(expected), "the PDF lacks \(expected)")
        }
        #expect(!text.contains("HIDDEN"))
        #expect(!text.contains("OTHERCYCLE"))

        // Only those marked for follow-up, when asked.
        #expect(try fixture.nhri.report(.treatyBody("CEDAW", followUpOnly: true)).entries.isEmpty)
        _ = try fixture.secretariat.put(
            "recommendation", id: fixture.recommendations[4], fields: ["follow_up_due": .text("2027-03-01")])
        let marked = try fixture.secretariat.report(.treatyBody("CEDAW", followUpOnly: true))
        #expect(marked.entries.map(\.followUpDue) == ["2027-03-01"])
        #expect(Self.flat(try Self.pdfText(marked).text).contains("Follow-up due: 2027-03-01"))

        #expect(throws: ReportError.self) { try fixture.nhri.report(.treatyBody("UPR")) }
        #expect(throws: ReportError.self) { try fixture.nhri.report(.treatyBody("NOSUCH")) }
        #expect(throws: ReplicaError.self) { try fixture.nhri.report(.institution("nobody")) }
    }

    @Test("an Arabic report runs right to left, and the command writes the file")
    func arabicAndCommand() async throws {
        let fixture = try await PublishedWorkFixture.make("report-ar")
        let directory = try temporaryDirectory("report-ar-out")
        let path = directory + "/midterm-ar.docx"
        try await followup([
            "--replica", fixture.secretariatDirectory, "report", "upr-midterm", "--cycle", "3", "--lang", "ar",
            "--out", path,
        ])
        let docx = try Data(contentsOf: URL(fileURLWithPath: path))
        let body = try Self.part("word/document.xml", of: docx)
        #expect(body.contains("<w:bidi/>"))
        #expect(body.contains("<w:rtl/>"))
        #expect(body.contains("<w:bidiVisual/>"))
        #expect(body.contains("مصفوفة التنفيذ"))
        #expect(!body.contains("HIDDEN"))
        #expect(try Self.part("word/styles.xml", of: docx).contains("w:val=\"ar-SA\""))
        let pdf = try LibreOffice.convert(path, to: "pdf", in: directory)
        let text = try LibreOffice.text(ofPDF: pdf)
        #expect(text.contains("SHOWNACTION"))
        #expect(!text.contains("HIDDEN"))

        // Unknown languages are refused before anything is read.
        await #expect(throws: (any Error).self) {
            try await followup([
                "--replica", fixture.secretariatDirectory, "report", "upr-midterm", "--cycle", "3", "--lang", "de",
                "--out", path,
            ])
        }
    }

    @Test("a report in Chinese and one in Arabic convert to PDF, and pdftotext gives back their own script")
    func chineseAndArabicPDF() async throws {
        let fixture = try await PublishedWorkFixture.make("report-cjk")
        let report = try fixture.secretariat.report(.uprMidterm(cycle: 3), date: "2027-01-15")
        for language in ["zh", "ar"] {
            // Without a font for the script LibreOffice draws empty boxes: say what to install.
            let fonts = try LibreOffice.fontFamilies(forLanguage: language)
            try #require(
                !fonts.isEmpty,
                "no font covers \(language): ./scripts/test installs one (fonts-wqy-zenhei for Chinese, fonts-dejavu-core for Arabic)"
            )
            let catalog = try ReportCatalog(language: language)
            // pdftotext marks right-to-left runs with bidi controls (the letters are in reading
            // order), and a line may break between two Chinese characters: compare without either.
            func bare(_ text: String) -> String {
                String(
                    String.UnicodeScalarView(
                        text.unicodeScalars.filter {
                            !$0.properties.isWhitespace && !(0x200E...0x200F).contains($0.value)
                                && !(0x202A...0x202E).contains($0.value)
                        }))
            }
            // pdftotext also gives the lam-alef ligature back as alef then lam.
            func ligated(_ text: String) -> String {
                ["ا", "أ", "إ", "آ"].reduce(text) { $0.replacingOccurrences(of: "ل" + $1, with: $1 + "ل") }
            }
            let text = bare(try Self.pdfText(report, language: language).text)
            for label in [ReportLabel.reportUprMidterm, .matrix, .reportPublishedOnly, .actions] {
                let expected = bare(catalog.text(label))
                #expect(
                    text.contains(language == "ar" ? ligated(expected) : expected),
                    "the \(language) PDF lacks \(catalog.text(label))")
            }
            #expect(text.contains("SHOWNACTION"))
            #expect(!text.contains("HIDDEN"))
        }
    }

    @Test("every catalog has every label, and no other")
    func catalogsComplete() throws {
        for language in ReportCatalog.languages {
            let catalog = try ReportCatalog(language: language)
            let missing = ReportLabel.allCases.filter { catalog.labels[$0.rawValue] == nil }
            #expect(missing.isEmpty, "\(language) lacks \(missing)")
            let known = Set(ReportLabel.allCases.map(\.rawValue))
            let extra = catalog.labels.keys.filter { !known.contains($0) }
            #expect(extra.isEmpty, "\(language) has labels no report uses: \(extra.sorted())")
            #expect(catalog.labels.values.allSatisfy { !$0.isEmpty }, "\(language) has an empty label")
        }
        #expect(throws: ReportError.self) { try ReportCatalog(language: "de") }
    }

    @Test("a report's status counts published actions only")
    func statusFromPublishedWork() {
        #expect(ImplementationStatus.of(actionStatuses: []) == .noAction)
        #expect(ImplementationStatus.of(actionStatuses: ["cancelled"]) == .noAction)
        #expect(ImplementationStatus.of(actionStatuses: [nil, "planned"]) == .planned)
        #expect(ImplementationStatus.of(actionStatuses: ["completed", "planned"]) == .inProgress)
        #expect(ImplementationStatus.of(actionStatuses: ["completed", "cancelled"]) == .completed)
    }
}
