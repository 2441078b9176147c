import Foundation

/// The body of a WordprocessingML document under construction: paragraphs, tables and fields,
/// right to left (`w:bidi`, `w:rtl`, `w:bidiVisual`) when the language is.
struct WordDocument {
    let rightToLeft: Bool
    private(set) var body = ""

    init(rightToLeft: Bool) { self.rightToLeft = rightToLeft }

    /// A paragraph of `style` holding `runs` (text, and whether it is bold).
    mutating func paragraph(_ style: String? = nil, _ runs: [(text: String, bold: Bool)]) {
        body += paragraphXML(style, runs)
    }

    /// A paragraph of `style` holding `text`.
    mutating func paragraph(_ style: String? = nil, _ text: String) {
        paragraph(style, [(text, false)])
    }

    /// A paragraph "label: value", the label in the `Label` character style.
    mutating func labelled(_ label: String, _ value: String) {
        body += "<w:p>\(paragraphProperties(nil))\(run(label + ": ", style: "Label"))\(run(value))</w:p>"
    }

    /// A page break.
    mutating func pageBreak() {
        body += "<w:p>\(paragraphProperties(nil))<w:r><w:br w:type=\"page\"/></w:r></w:p>"
    }

    /// A table of contents field (headings 1 and 2, hyperlinked) whose shown result lists
    /// `entries` (text and level) until the reader's word processor updates it.
    mutating func tableOfContents(_ entries: [(text: String, level: Int)], note: String) {
        let begin =
            "<w:r><w:fldChar w:fldCharType=\"begin\" w:dirty=\"true\"/></w:r>"
            + "<w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText></w:r>"
            + "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
        let end = "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        let lines = entries.isEmpty ? [(text: note, level: 1)] : entries
        for (index, entry) in lines.enumerated() {
            let style = entry.level == 1 ? "TOC1" : "TOC2"
            body += "<w:p>\(paragraphProperties(style))"
            if index == 0 { body += begin }
            body += run(entry.text)
            if index == lines.count - 1 { body += end }
            body += "</w:p>"
        }
    }

    /// A table with a repeated bold header row and one row a line of `rows`.
    mutating func table(_ header: [String], _ rows: [[String]], widths: [Int]) {
        var xml = "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>"
        if rightToLeft { xml += "<w:bidiVisual/>" }
        xml += "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\""
        xml += " w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
        xml += widths.map { "<w:gridCol w:w=\"\($0)\"/>" }.joined() + "</w:tblGrid>"
        func row(_ cells: [String], header: Bool) -> String {
            var xml = "<w:tr>" + (header ? "<w:trPr><w:tblHeader/></w:trPr>" : "")
            for (cell, width) in zip(cells, widths) {
                xml += "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/>"
                if header { xml += "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"D9E1F2\"/>" }
                xml += "</w:tcPr>" + paragraphXML(nil, [(cell, header)]) + "</w:tc>"
            }
            return xml + "</w:tr>"
        }
        xml += row(header, header: true)
        for cells in rows { xml += row(cells, header: false) }
        body += xml + "</w:tbl>" + "<w:p>\(paragraphProperties(nil))</w:p>"
    }

    private func paragraphXML(_ style: String?, _ runs: [(text: String, bold: Bool)]) -> String {
        "<w:p>\(paragraphProperties(style))\(runs.map { run($0.text, bold: $0.bold) }.joined())</w:p>"
    }

    private func paragraphProperties(_ style: String?) -> String {
        let styleXML = style.map { "<w:pStyle w:val=\"\($0)\"/>" } ?? ""
        let bidi = rightToLeft ? "<w:bidi/>" : ""
        return styleXML.isEmpty && bidi.isEmpty ? "" : "<w:pPr>\(styleXML)\(bidi)</w:pPr>"
    }

    /// A run of `text`, its line breaks as `w:br`.
    private func run(_ text: String, bold: Bool = false, style: String? = nil) -> String {
        var properties = style.map { "<w:rStyle w:val=\"\($0)\"/>" } ?? ""
        if bold { properties += "<w:b/><w:bCs/>" }
        if rightToLeft { properties += "<w:rtl/>" }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        let content = lines.map { "<w:t xml:space=\"preserve\">\(OfficeXML.escape(String($0)))</w:t>" }
            .joined(separator: "<w:br/>")
        return "<w:r>\(properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>")\(content)</w:r>"
    }
}
