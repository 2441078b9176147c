import Foundation
import Shared

/// The file formats of `followup export recommendations`.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// RFC 4180: comma-separated, CRLF line ends, fields quoted when they must be.
    case csv
    /// An array of objects, one a recommendation, lists as arrays.
    case json
    /// An Excel workbook with one sheet, a bold frozen header and a filter.
    case xlsx
}

extension TrackingTable {
    /// The table in `format`; a CSV starts with a UTF-8 byte order mark when `byteOrderMark` is set
    /// (older Excel versions need it to read UTF-8).
    public func encoded(as format: ExportFormat, byteOrderMark: Bool = false) throws -> Data {
        switch format {
        case .csv: Data(csv(byteOrderMark: byteOrderMark).utf8)
        case .json: try json()
        case .xlsx: try xlsx()
        }
    }

    /// The table as RFC 4180 CSV: a header line, then one record a row, each line ending in CRLF.
    public func csv(byteOrderMark: Bool = false) -> String {
        var text = byteOrderMark ? "\u{FEFF}" : ""
        text += Self.columns.map { Self.csvField($0.key) }.joined(separator: ",") + "\r\n"
        for row in rows {
            text += row.map { Self.csvField($0.flat) }.joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// A CSV field: quoted (inner quotes doubled) when it holds a comma, a quote, a line break or
    /// starts or ends with a space.
    static func csvField(_ value: String) -> String {
        let mustQuote =
            value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || value.first == " " || value.last == " "
        guard mustQuote else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The table as a JSON array of objects keyed by column (sorted keys; no value is `null`).
    func json() throws -> Data {
        let objects = rows.map { row in
            var object: [String: FieldValue] = [:]
            for (column, cell) in zip(Self.columns, row) {
                switch cell {
                case .text(let text): object[column.key] = .text(text)
                case .integer(let number): object[column.key] = .integer(Int64(number))
                case .list(let items): object[column.key] = .list(items)
                case .empty: object[column.key] = column.isList ? .list([]) : .null
                }
            }
            return object
        }
        var data = try WireCoding.encoder().encode(objects)
        data.append(0x0A)
        return data
    }

    /// The table as an XLSX workbook built from the templates in `Resources/Templates/xlsx`.
    func xlsx() throws -> Data {
        let last = Self.cellReference(column: Self.columns.count - 1, row: rows.count + 1)
        let range = "A1:\(last)"
        var sheet = ""
        sheet += Self.xlsxRow(1, Self.columns.map { .text($0.key) }, style: 1)
        for (offset, row) in rows.enumerated() { sheet += Self.xlsxRow(offset + 2, row, style: 2) }
        let widths = Self.columns.enumerated().map { index, column in
            let width = column.key == "text" ? 80 : column.isInteger ? 10 : 24
            return "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
        }
        let sheetName = "Recommendations"
        var package = OfficePackage()
        try package.add("[Content_Types].xml", template: "content-types.xml", in: "xlsx")
        try package.add("_rels/.rels", template: "rels.xml", in: "xlsx")
        try package.add(
            "docProps/core.xml", template: "core.xml", in: "xlsx",
            ["TITLE": sheetName, "CREATED": ISO8601DateFormatter().string(from: Date())])
        try package.add(
            "xl/workbook.xml", template: "workbook.xml", in: "xlsx",
            ["SHEET": sheetName, "RANGE": "$A$1:$\(Self.columnLetters(Self.columns.count - 1))$\(rows.count + 1)"])
        try package.add("xl/_rels/workbook.xml.rels", template: "workbook.xml.rels", in: "xlsx")
        try package.add("xl/styles.xml", template: "styles.xml", in: "xlsx")
        try package.add(
            "xl/worksheets/sheet1.xml", template: "sheet1.xml", in: "xlsx",
            ["RANGE": range, "COLUMNS": widths.joined(), "ROWS": sheet])
        return try package.data()
    }

    /// One `<row>` of the sheet: text as inline strings, integers as numbers, empty cells left out.
    private static func xlsxRow(_ number: Int, _ cells: [Cell], style: Int) -> String {
        var xml = "<row r=\"\(number)\">"
        for (column, cell) in cells.enumerated() {
            let reference = cellReference(column: column, row: number)
            switch cell {
            case .empty: continue
            case .integer(let value): xml += "<c r=\"\(reference)\" s=\"\(style)\"><v>\(value)</v></c>"
            case .text, .list:
                xml +=
                    "<c r=\"\(reference)\" s=\"\(style)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(OfficeXML.escape(cell.flat))</t></is></c>"
            }
        }
        return xml + "</row>"
    }

    /// `A1`-style reference of a zero-based column and a one-based row.
    static func cellReference(column: Int, row: Int) -> String { columnLetters(column) + String(row) }

    /// The letters of zero-based column `index` (A to Z, then AA).
    static func columnLetters(_ index: Int) -> String {
        var letters = ""
        var rest = index + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + digit))) + letters
            rest = (rest - 1) / 26
        }
        return letters
    }
}
