import Client
import Foundation
import Hummingbird
import Logging
import NIOCore
import Shared

extension DeskPages {
    /// The media type of a Word document.
    static let docxMediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    /// The media type of each export format.
    static func mediaType(of format: ExportFormat) -> String {
        switch format {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The reports page: the three reports to the UN (`followup report`), each scoped by a value
    /// picked from a list, in a language picked from a list; and the tracking table
    /// (`followup export recommendations`) in a format picked from a list.
    func reports(_ request: Request, context: DeskRequestContext) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let choices = try reportChoices()
        func options(_ values: [(String, String)]) -> [[String: Any]] {
            values.map { ["value": $0.0, "label": $0.1] }
        }
        let languages = ReportCatalog.languages.map { code -> [String: Any] in
            ["value": code, "label": renderer.catalog(code)["language_name"], "selected": code == catalog.language]
        }
        let reports: [[String: Any]] = [
            [
                "id": "upr-midterm", "heading": catalog["reports_upr_title"], "field": "cycle",
                "label": catalog["reports_upr_cycle"],
                "options": options(choices.cycles.map { ("\($0)", catalog.number($0)) }),
            ],
            [
                "id": "treaty-body", "heading": catalog["reports_treaty_title"], "field": "body",
                "label": catalog["reports_treaty_body"], "options": options(choices.bodies.map { ($0, $0) }),
            ],
            [
                "id": "institution", "heading": catalog["reports_institution_title"], "field": "institution",
                "label": catalog["reports_institution"],
                "options": options(choices.institutions.map { ($0.id, $0.name) }),
            ],
        ].map { report in
            var report = report
            report["languages"] = languages
            if (report["options"] as? [[String: Any]])?.isEmpty == true { report["none"] = catalog["reports_none"] }
            return report
        }
        let formats = ExportFormat.allCases.map { format -> [String: Any] in
            ["value": format.rawValue, "label": catalog["export_format_" + format.rawValue]]
        }
        return try page(
            "reports", title: catalog["reports_title"], request: request, context: context,
            values: ["reports": reports, "formats": formats])
    }

    /// Report `kind` (`upr-midterm`, `treaty-body`, `institution`) as a Word document to download,
    /// made by the Client library's `Replica.report` and `Report.docx`, exactly as `followup report`.
    func downloadReport(_ kind: String, request: Request, context: DeskRequestContext) throws -> Response {
        let parameter = Self.parameters(request)
        let choices = try reportChoices()
        guard let language = parameter("lang"), ReportCatalog.languages.contains(language) else {
            throw DeskError(.badForm)
        }
        let scope: ReportScope
        let name: String
        switch kind {
        case "upr-midterm":
            guard let cycle = parameter("cycle").flatMap({ Int($0) }), choices.cycles.contains(cycle) else {
                throw DeskError(.badForm)
            }
            scope = .uprMidterm(cycle: cycle)
            name = "upr-midterm-cycle-\(cycle)"
        case "treaty-body":
            guard let body = parameter("body"), choices.bodies.contains(body) else { throw DeskError(.badForm) }
            scope = .treatyBody(body)
            name = "treaty-body-\(body)"
        case "institution":
            guard let institution = parameter("institution"),
                let choice = choices.institutions.first(where: { $0.id == institution })
            else { throw DeskError(.badForm) }
            scope = .institution(choice.id)
            name = "institution-\(choice.org ?? choice.name)"
        default:
            throw DeskError(.notFound)
        }
        let document = try replica.report(scope).docx(try ReportCatalog(language: language))
        context.logger.info("desk.report.made", metadata: ["desk.report.kind": "\(kind)"])
        return Self.download(
            document, mediaType: Self.docxMediaType, fileName: "followup-\(name)-\(language).docx")
    }

    /// The recommendations tracking table (the list's filters applied) to download, made by the
    /// Client library's `trackingTable` and `encoded(as:)`, exactly as `followup export recommendations`.
    func downloadExport(_ request: Request, context: DeskRequestContext) throws -> Response {
        guard let format = Self.parameters(request)("format").flatMap(ExportFormat.init(rawValue:)) else {
            throw DeskError(.badForm)
        }
        var filter = try recommendationFilter(request)
        filter.limit = nil
        filter.offset = 0
        let data = try replica.trackingTable(filter).encoded(as: format)
        return Self.download(
            data, mediaType: Self.mediaType(of: format), fileName: "followup-recommendations.\(format.rawValue)")
    }

    /// `data` as a file to save, named `fileName`.
    static func download(_ data: Data, mediaType: String, fileName: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: mediaType,
                .contentDisposition: contentDisposition("attachment", fileName: fileName),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// What the reports are picked from: the UPR cycles, the treaty bodies and the institutions
    /// on this replica.
    private func reportChoices() throws -> (cycles: [Int], bodies: [String], institutions: [InstitutionChoice]) {
        let facets = try self.facets.facets(replica, syncs: monitor.completed)
        return (
            facets.cycles.isEmpty ? [1, 2, 3, 4] : facets.cycles,
            facets.mechanisms.filter { $0.uppercased() != "UPR" },
            facets.institutions
        )
    }
}
