import Foundation
import Shared
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The UHRI "Export to Excel" workbook: one sheet, 16 columns, multi-valued cells one `- value` a line.
///
/// Headers are matched whatever their case, with "Reccomending" (as published) or "Recommending".
public enum UHRIExcel {
    /// The headers as OHCHR publishes them (misspellings included).
    public static let columns = [
        "Text", "Countries Concerned", "Reccomending Body", "Document Symbol", "Themes", "Affected Persons", "Sdgs",
        "Document Publication Date", "UPR Reccomending States", "UPR Position", "Type", "OHCHR Annotation Id",
        "UPR Session", "Regions Concerned", "Recommending Regions", "Date of publication on UHRI",
    ]

    /// Reads the first sheet of a UHRI Excel export, keeping the records `scope` keeps.
    public static func parse(_ file: ImportFile, scope: ImportScope, language: String) throws -> ParsedImport {
        let rows = try XLSXSheet.rows(of: file)
        guard let header = rows.first else { throw notAnExport("the sheet is empty") }
        var index: [String: Int] = [:]
        for (column, name) in header.enumerated() where index[key(name)] == nil {
            index[key(name)] = column
        }
        let required = ["Text", "Countries Concerned", "Reccomending Body", "OHCHR Annotation Id"]
        let missing = required.filter { index[key($0)] == nil }
        guard missing.isEmpty else {
            throw notAnExport("the header has no \(missing.joined(separator: ", ")) column")
        }
        var parsed = ParsedImport()
        for (offset, row) in rows.dropFirst().enumerated() {
            let line = offset + 2
            func cell(_ name: String) -> String {
                guard let column = index[key(name)], column < row.count else { return "" }
                return row[column]
            }
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) { continue }
            let countries = lines(cell("Countries Concerned"))
            guard scope.keeps(UHRIFormat.stateCodes(countries)) else {
                parsed.otherStates += 1
                continue
            }
            let item = UHRIRecord(
                annotationId: cell("OHCHR Annotation Id"), annotationType: cell("Type"),
                body: lines(cell("Reccomending Body")).first, countries: countries,
                documentId: nil, publicationDate: date(cell("Document Publication Date")),
                sdgs: lines(cell("Sdgs")), symbol: cell("Document Symbol"), text: cell("Text"),
                themes: lines(cell("Themes")), affectedPersons: lines(cell("Affected Persons")), uprCycle: nil,
                uprPositions: lines(cell("UPR Position")),
                uprRecommendingCountries: recommendingStates(cell("UPR Reccomending States")),
                uprSessions: lines(cell("UPR Session")))
            switch UHRIFormat.record(item, position: line, scope: scope, language: language) {
            case .success(let record): parsed.records.append(record)
            case .failure(let problem): parsed.invalid.append(problem)
            }
        }
        return parsed
    }

    /// The matching key of a header: lowercased, white space collapsed, "reccomending" spelt right.
    static func key(_ header: String) -> String {
        header.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
            .replacingOccurrences(of: "reccomending", with: "recommending")
    }

    /// The values of a multi-valued cell: one a line, each after `- `.
    static func lines(_ cell: String) -> [String] {
        UHRIFormat.values(cell.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// The recommending States of a cell that joins them with `-` ("France-Germany-Guinea-Bissau").
    ///
    /// Pieces are joined back where the longer name is a State's ("Guinea-Bissau", "Timor-Leste");
    /// pieces that name no State are dropped.
    static func recommendingStates(_ cell: String) -> [String] {
        var states: [String] = []
        for line in lines(cell) {
            let pieces = line.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            var start = 0
            while start < pieces.count {
                var taken = 1
                for length in stride(from: min(3, pieces.count - start), through: 1, by: -1) {
                    let name = pieces[start..<start + length].joined(separator: "-")
                    if UHRIFormat.stateCode(name) != nil {
                        states.append(name)
                        taken = length
                        break
                    }
                }
                start += taken
            }
        }
        return states
    }

    /// An Excel serial date (46078 is 2026-02-25) or a date text, as `YYYY-MM-DD`.
    static func date(_ cell: String) -> String? {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        guard let serial = Double(trimmed) else { return trimmed.isEmpty ? nil : trimmed }
        // Serials 1 to 2958465 are 1900-01-01 to 9999-12-31; anything else is no date.
        guard serial.isFinite, (1...2_958_465).contains(serial) else { return nil }
        // Serial 25569 is 1970-01-01 (Excel's 1900 system, counting its phantom 29 February 1900).
        let date = Date(timeIntervalSince1970: (serial.rounded(.down) - 25_569) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func notAnExport(_ reason: String) -> ReplicaError {
        ReplicaError(.invalidFile, "this is not a UHRI Excel export: \(reason)")
    }
}

/// The cells of a workbook's first sheet (an .xlsx: a zip of XML parts), as text.
enum XLSXSheet {
    /// Every row of the first sheet, cells by column (blank cells as ""), shared strings resolved.
    static func rows(of file: ImportFile) throws -> [[String]] {
        let archive: Archive
        do {
            if let data = file.data {
                archive = try Archive(data: data, accessMode: .read)
            } else {
                archive = try Archive(url: URL(fileURLWithPath: file.path), accessMode: .read)
            }
        } catch {
            throw UHRIExcel.notAnExport("it is not a readable .xlsx workbook (\(error))")
        }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var data = Data()
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            return data
        }
        let sharedStrings = try part("xl/sharedStrings.xml").map { try SharedStringsParser.parse($0) } ?? []
        guard let sheetPath = try firstSheetPath(archive: archive, part: part), let sheet = try part(sheetPath) else {
            throw UHRIExcel.notAnExport("the workbook has no worksheet")
        }
        return try SheetParser.parse(sheet, sharedStrings: sharedStrings)
    }

    /// The first sheet named by xl/workbook.xml and its relationships, else the first xl/worksheets/ part.
    private static func firstSheetPath(archive: Archive, part: (String) throws -> Data?) throws -> String? {
        if let workbook = try part("xl/workbook.xml"), let rels = try part("xl/_rels/workbook.xml.rels"),
            let relation = try AttributeCollector.first(element: "sheet", attribute: "r:id", in: workbook),
            let target = try AttributeCollector.all(element: "Relationship", in: rels)
                .first(where: { $0["Id"] == relation })?["Target"]
        {
            let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            if archive[path] != nil { return path }
        }
        return archive.map(\.path).filter { $0.hasPrefix("xl/worksheets/") && $0.hasSuffix(".xml") }.sorted().first
    }
}

/// Collects the attributes of elements of one name.
private final class AttributeCollector: NSObject, XMLParserDelegate {
    let element: String
    var found: [[String: String]] = []

    init(element: String) { self.element = element }

    static func all(element: String, in data: Data) throws -> [[String: String]] {
        let collector = AttributeCollector(element: element)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else {
            throw UHRIExcel.notAnExport("unreadable XML (\(parser.parserError.map(String.init(describing:)) ?? "?"))")
        }
        return collector.found
    }

    static func first(element: String, attribute: String, in data: Data) throws -> String? {
        try all(element: element, in: data).first?[attribute]
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == element || elementName.hasSuffix(":" + element) { found.append(attributes) }
    }
}

/// Reads xl/sharedStrings.xml: each `<si>`'s text, its rich-text runs (`<r><t>`) joined; phonetic runs left out.
private final class SharedStringsParser: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ data: Data) throws -> [String] {
        let delegate = SharedStringsParser()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else {
            throw UHRIExcel.notAnExport(
                "unreadable shared strings (\(parser.parserError.map(String.init(describing:)) ?? "?"))")
        }
        return delegate.strings
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "si": current = ""
        case "t": inText = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch elementName {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }
}

/// Reads a worksheet's `<sheetData>`: cells of shared strings, inline strings, formula strings, numbers.
private final class SheetParser: NSObject, XMLParserDelegate {
    let sharedStrings: [String]
    var rows: [[String]] = []
    var row: [String] = []
    var column = 0
    var cellType = ""
    var value = ""
    var inValue = false
    var inPhonetic = false

    init(sharedStrings: [String]) { self.sharedStrings = sharedStrings }

    static func parse(_ data: Data, sharedStrings: [String]) throws -> [[String]] {
        let delegate = SheetParser(sharedStrings: sharedStrings)
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else {
            throw UHRIExcel.notAnExport(
                "unreadable worksheet (\(parser.parserError.map(String.init(describing:)) ?? "?"))")
        }
        return delegate.rows
    }

    /// The zero-based column of a cell reference such as "C12".
    static func column(of reference: String) -> Int? {
        var number = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            // Excel's last column is XFD (16,384): a longer reference is not a real cell's.
            guard letters < 3 else { return nil }
            number = number * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters > 0 && number <= 16_384 ? number - 1 : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "row": row = []
        case "c":
            column = attributes["r"].flatMap(Self.column(of:)) ?? row.count
            cellType = attributes["t"] ?? "n"
            value = ""
        case "v", "t": inValue = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch elementName {
        case "v", "t": inValue = false
        case "rPh": inPhonetic = false
        case "c":
            var text = value
            if cellType == "s" {
                text =
                    Int(value.trimmingCharacters(in: .whitespaces)).flatMap {
                        sharedStrings.indices.contains($0) ? sharedStrings[$0] : nil
                    } ?? ""
            }
            if row.count <= column { row.append(contentsOf: repeatElement("", count: column - row.count + 1)) }
            row[column] = text
        case "row": rows.append(row)
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { value += string }
    }
}
