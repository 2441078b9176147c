import Foundation
import Shared

extension Report {
    /// The title of the report in the catalog's language.
    public func title(_ catalog: ReportCatalog) -> String {
        switch scope {
        case .uprMidterm: catalog.text(.reportUprMidterm)
        case .treatyBody: catalog.text(.reportTreatyBody, ["body": scopeName])
        case .institution: catalog.text(.reportInstitution, ["institution": scopeName])
        }
    }

    /// The line under the title naming the scope.
    func scopeLine(_ catalog: ReportCatalog) -> String {
        switch scope {
        case .uprMidterm: catalog.text(.reportUprMidtermScope, ["cycle": scopeName])
        case .treatyBody: catalog.text(.reportTreatyBodyScope, ["body": scopeName])
        case .institution: catalog.text(.reportInstitutionScope, ["institution": scopeName])
        }
    }

    /// The report as an editable Word document (DOCX) in the catalog's language: a title page,
    /// the contents, one section a cluster (or a recommendation alone), and the implementation
    /// matrix, with the styles of the `Resources/Templates/docx` templates.
    public func docx(_ catalog: ReportCatalog) throws -> Data {
        var document = WordDocument(rightToLeft: catalog.isRightToLeft)
        let title = title(catalog)
        // The title page.
        document.paragraph("Title", title)
        document.paragraph("Subtitle", scopeLine(catalog))
        if let state {
            let name = Countries.name(forCode: state).map { "\($0) (\(state))" } ?? state
            document.paragraph("Subtitle", catalog.text(.reportState, ["state": name]))
        }
        document.paragraph("Subtitle", catalog.text(.reportDate, ["date": date]))
        document.paragraph("Subtitle", catalog.text(.reportPublishedOnly))
        document.pageBreak()
        // The contents: the headings as the field's first result.
        document.paragraph("TOCHeading", catalog.text(.contents))
        var contents: [(text: String, level: Int)] = []
        for section in sections {
            if let cluster = section.cluster {
                contents.append((cluster, 1))
                contents += section.entries.map { ($0.heading, 2) }
            } else {
                contents += section.entries.map { ($0.heading, 1) }
            }
        }
        contents.append((catalog.text(.matrix), 1))
        document.tableOfContents(contents, note: catalog.text(.contentsUpdate))
        document.pageBreak()
        if sections.isEmpty { document.paragraph(nil, catalog.text(.reportEmpty)) }
        for section in sections {
            if let cluster = section.cluster {
                document.paragraph("Heading1", cluster)
                if let description = section.description { document.paragraph(nil, description) }
                for entry in section.entries { write(entry, level: 2, catalog, &document) }
            } else {
                for entry in section.entries { write(entry, level: 1, catalog, &document) }
            }
        }
        // The implementation matrix.
        document.paragraph("Heading1", catalog.text(.matrix))
        document.table(
            [
                catalog.text(.matrixRecommendation), catalog.text(.matrixSource), catalog.text(.matrixPosition),
                catalog.text(.matrixResponsible), catalog.text(.matrixActions), catalog.text(.matrixStatus),
            ],
            matrix.rows.map { row in
                [
                    row.recommendation, source(row, catalog), catalog.term("position", row.position),
                    row.responsible.joined(separator: "\n"), row.actionsTaken.joined(separator: "\n"),
                    catalog.term("status", row.status.rawValue),
                ]
            }, widths: [3000, 1400, 1100, 1500, 1100, 972])

        let bidi = catalog.isRightToLeft
        var package = OfficePackage()
        let language = Self.languageTag[catalog.language] ?? catalog.language
        try package.add("[Content_Types].xml", template: "content-types.xml", in: "docx")
        try package.add("_rels/.rels", template: "rels.xml", in: "docx")
        try package.add(
            "docProps/core.xml", template: "core.xml", in: "docx",
            [
                "TITLE": OfficeXML.escape(title), "LANGUAGE": language,
                "CREATED": ISO8601DateFormatter().string(from: Date()),
            ])
        try package.add("word/_rels/document.xml.rels", template: "document.xml.rels", in: "docx")
        try package.add("word/settings.xml", template: "settings.xml", in: "docx", ["LANGUAGE": language])
        try package.add(
            "word/styles.xml", template: "styles.xml", in: "docx",
            [
                "LANGUAGE": language, "RUN_RTL": bidi ? "<w:rtl/>" : "",
                "PARAGRAPH_BIDI": bidi ? "<w:bidi/>" : "",
            ])
        try package.add(
            "word/document.xml", template: "document.xml", in: "docx",
            ["BODY": document.body, "SECTION_BIDI": bidi ? "<w:bidi/>" : ""])
        return try package.data()
    }

    /// The BCP 47 tags of the six languages.
    static let languageTag = ["ar": "ar-SA", "en": "en-GB", "es": "es-ES", "fr": "fr-FR", "ru": "ru-RU", "zh": "zh-CN"]

    /// The source column of a matrix row: mechanism, session, cycle, recommending States.
    private func source(_ row: ImplementationMatrix.Row, _ catalog: ReportCatalog) -> String {
        var parts = [row.mechanism].compactMap { $0 }
        if let session = row.session { parts.append("\(catalog.text(.recommendationSession)) \(session)") }
        if let cycle = row.cycle { parts.append("\(catalog.text(.recommendationCycle)) \(cycle)") }
        if !row.recommendingStates.isEmpty { parts.append(row.recommendingStates.joined(separator: ", ")) }
        return parts.joined(separator: "\n")
    }

    /// One recommendation with its published follow-up, under a heading of `level`.
    private func write(_ entry: ReportEntry, level: Int, _ catalog: ReportCatalog, _ document: inout WordDocument) {
        document.paragraph("Heading\(level)", entry.heading)
        document.paragraph("RecommendationText", entry.text)
        if let symbol = entry.symbol { document.labelled(catalog.text(.recommendationSymbol), symbol) }
        if let paragraph = entry.paragraph { document.labelled(catalog.text(.recommendationParagraph), paragraph) }
        if let mechanism = entry.mechanism { document.labelled(catalog.text(.recommendationMechanism), mechanism) }
        if let session = entry.session { document.labelled(catalog.text(.recommendationSession), String(session)) }
        if let cycle = entry.cycle { document.labelled(catalog.text(.recommendationCycle), String(cycle)) }
        if !entry.recommendingStates.isEmpty {
            let states = entry.recommendingStates.map { Countries.name(forCode: $0) ?? $0 }
            document.labelled(catalog.text(.recommendationRecommendingStates), states.joined(separator: ", "))
        }
        if let position = entry.position {
            document.labelled(catalog.text(.recommendationPosition), catalog.term("position", position))
        }
        if let due = entry.followUpDue { document.labelled(catalog.text(.recommendationFollowUpDue), due) }
        document.labelled(catalog.text(.recommendationStatus), catalog.term("status", entry.status.rawValue))
        let none = catalog.text(.none)
        document.labelled(
            catalog.text(.institutionsLead), entry.lead.isEmpty ? none : entry.lead.joined(separator: ", "))
        if !entry.contributing.isEmpty {
            document.labelled(catalog.text(.institutionsContributing), entry.contributing.joined(separator: ", "))
        }
        let sub = "Heading\(min(level + 1, 3))"
        document.paragraph(sub, catalog.text(.actions))
        if entry.actions.isEmpty {
            document.paragraph(nil, none)
        } else {
            document.table(
                [
                    catalog.text(.actionTitle), catalog.text(.actionInstitution), catalog.text(.actionStatus),
                    catalog.text(.actionDue), catalog.text(.actionBudget),
                ],
                entry.actions.map { action in
                    [
                        action.title, action.institution ?? "", catalog.term("status", action.status ?? "planned"),
                        action.dueDate ?? "",
                        action.budget.map { Self.amount($0) + (action.currency.map { " \($0)" } ?? "") } ?? "",
                    ]
                }, widths: [3400, 2000, 1300, 1200, 1172])
        }
        if !entry.indicators.isEmpty {
            document.paragraph(sub, catalog.text(.indicators))
            document.table(
                [
                    catalog.text(.indicatorTitle), catalog.text(.indicatorBaseline), catalog.text(.indicatorTarget),
                    catalog.text(.indicatorLatest),
                ],
                entry.indicators.map { indicator in
                    let unit = indicator.unit.map { " \($0)" } ?? ""
                    let latest = indicator.latestValue.map {
                        Self.amount($0) + unit + (indicator.latestDate.map { " (\($0))" } ?? "")
                    }
                    return [
                        indicator.title, indicator.baseline.map { Self.amount($0) + unit } ?? "",
                        indicator.target.map { Self.amount($0) + unit } ?? "", latest ?? "",
                    ]
                }, widths: [3800, 1600, 1600, 2072])
        }
        document.paragraph(sub, catalog.text(.progress))
        if entry.progress.isEmpty { document.paragraph(nil, none) }
        for update in entry.progress {
            let status = update.status.map { " [\(catalog.term("progress_status", $0))]" } ?? ""
            document.paragraph(
                nil, [((update.date.map { "\($0): " } ?? ""), true), (update.narrative + status, false)])
        }
        for assessment in entry.assessments {
            document.paragraph(sub, catalog.text(.nhriHeading))
            document.paragraph("NHRIAssessment", catalog.text(.nhriBy, ["institution": assessment.institution]))
            document.paragraph(
                "NHRIAssessment",
                [(catalog.text(.nhriRating) + ": ", true), (catalog.term("rating", assessment.rating), false)])
            if let rationale = assessment.rationale {
                document.paragraph("NHRIAssessment", [(catalog.text(.nhriRationale) + ": ", true), (rationale, false)])
            }
        }
    }

    /// A number without a needless fraction: 50000, 12.5.
    static func amount(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
