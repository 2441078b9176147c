import Foundation
import Shared

/// One UHRI record, as either export shape gives it (the JSON full export or the Excel export).
struct UHRIRecord: Sendable, Equatable {
    var annotationId: String?
    var annotationType: String?
    var body: String?
    var countries: [String] = []
    var documentId: String?
    /// `YYYY-MM-DD…`, as the JSON export gives it (the Excel serial dates are converted).
    var publicationDate: String?
    var sdgs: [String] = []
    var symbol: String?
    var text: String?
    var themes: [String] = []
    var affectedPersons: [String] = []
    var uprCycle: String?
    var uprPositions: [String] = []
    var uprRecommendingCountries: [String] = []
    var uprSessions: [String] = []
}

/// The OHCHR Universal Human Rights Index exports: the JSON full export (one array of annotation
/// records, read as a stream) and the Excel export (`UHRIExcel`).
public enum UHRIFormat {
    /// The UN's six official languages, whose codes name the language variants of the export.
    public static let languages: Set<String> = ["ar", "zh", "en", "fr", "ru", "es"]

    /// The language of an export from its file name (`export-full-fr.json` is "fr"), else "en".
    public static func language(ofFileNamed path: String) -> String {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent.lowercased()
        let last = name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).last.map(String.init)
        return last.flatMap { languages.contains($0) ? $0 : nil } ?? "en"
    }

    /// Reads every record of a UHRI JSON export held in memory.
    public static func parse(_ data: Data) throws -> (records: [ImportedRecommendation], invalid: [InvalidImportRow]) {
        let parsed = try parse(ImportFile(path: "export.json", data: data), scope: .allStates, language: "en")
        return (parsed.records, parsed.invalid)
    }

    /// Reads a UHRI JSON export a chunk at a time, keeping only the records `scope` keeps.
    ///
    /// Each element of the top-level array is decoded alone; records of other States are
    /// counted and dropped after reading their `Countries` only.
    /// - Parameters:
    ///   - language: the language of the texts ("en", "fr", ...).
    ///   - chunkSize: the bytes read at a time.
    ///   - progress: told `.reading` as the file advances, about once per 1% of it.
    public static func parse(
        _ file: ImportFile, scope: ImportScope, language: String, chunkSize: Int = 1 << 20,
        progress: (ImportStep) -> Void = { _ in }
    ) throws -> ParsedImport {
        let total = file.size
        let step = max(Int64(1), total / 100)
        var parsed = ParsedImport()
        try file.withChunks { read in
            let stream = JSONArrayStream(chunkSize: chunkSize, read: read)
            let decoder = JSONDecoder()
            var position = 0
            var reported: Int64 = 0
            while let element = try stream.next() {
                position += 1
                if stream.bytesRead - reported >= step {
                    reported = stream.bytesRead
                    progress(.reading(path: file.path, bytesRead: reported, totalBytes: total))
                }
                let concerned: ConcernedStates
                do {
                    concerned = try decoder.decode(ConcernedStates.self, from: element)
                } catch {
                    parsed.invalid.append(
                        InvalidImportRow(line: position, reason: "record \(position): not a UHRI record (\(error))"))
                    continue
                }
                let states = stateCodes(concerned.Countries ?? [])
                guard scope.keeps(states) else {
                    parsed.otherStates += 1
                    continue
                }
                let item: JSONRecord
                do {
                    item = try decoder.decode(JSONRecord.self, from: element)
                } catch {
                    parsed.invalid.append(
                        InvalidImportRow(line: position, reason: "record \(position): not a UHRI record (\(error))"))
                    continue
                }
                switch record(item.record, position: position, scope: scope, language: language) {
                case .success(let record): parsed.records.append(record)
                case .failure(let problem): parsed.invalid.append(problem)
                }
            }
            progress(.reading(path: file.path, bytesRead: stream.bytesRead, totalBytes: total))
        }
        return parsed
    }

    /// The only field read from the records of every State: the States concerned.
    private struct ConcernedStates: Decodable {
        var Countries: [String]?
    }

    /// A record of the JSON export: 17 PascalCase keys.
    private struct JSONRecord: Decodable {
        var AnnotationId: String?
        var AnnotationType: String?
        var Body: String?
        var Countries: [String]?
        var DocumentId: String?
        var PublicationDate: String?
        var Sdgs: [String]?
        var Symbol: String?
        var Text: String?
        var Themes: [String]?
        var AffectedPersons: [String]?
        var UprCycle: LooseString?
        var UprPositions: [LooseString]?
        var UprRecommendingCountry: [String]?
        var UprSession: [LooseString]?

        var record: UHRIRecord {
            UHRIRecord(
                annotationId: AnnotationId, annotationType: AnnotationType, body: Body, countries: Countries ?? [],
                documentId: DocumentId, publicationDate: PublicationDate, sdgs: Sdgs ?? [], symbol: Symbol,
                text: Text, themes: Themes ?? [], affectedPersons: AffectedPersons ?? [], uprCycle: UprCycle?.value,
                uprPositions: (UprPositions ?? []).map(\.value),
                uprRecommendingCountries: UprRecommendingCountry ?? [], uprSessions: (UprSession ?? []).map(\.value))
        }
    }

    /// A string, or a number given where a string may be.
    private struct LooseString: Decodable {
        var value: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                value = text
            } else if let number = try? container.decode(Int.self) {
                value = String(number)
            } else {
                value = String(try container.decode(Double.self))
            }
        }
    }

    /// Maps a record onto the recommendation columns, for a record `scope` keeps.
    static func record(
        _ item: UHRIRecord, position: Int, scope: ImportScope, language: String
    ) -> Result<ImportedRecommendation, InvalidImportRow> {
        func fail(_ reason: String) -> Result<ImportedRecommendation, InvalidImportRow> {
            .failure(InvalidImportRow(line: position, reason: "record \(position): \(reason)"))
        }
        guard let id = item.annotationId?.trimmingCharacters(in: .whitespaces).lowercased(), UUID(uuidString: id) != nil
        else {
            return fail("AnnotationId is missing or not a UUID")
        }
        let (paragraph, text) = splitParagraph(HTMLText.plain(item.text ?? ""))
        guard !text.isEmpty else { return fail("Text is empty") }
        let body = withoutDash(item.body ?? "")
        guard !body.isEmpty else { return fail("Body is missing") }
        guard let date = item.publicationDate.map({ String($0.prefix(10)) }), OperationRules.isCalendarDate(date)
        else {
            return fail("PublicationDate is not an ISO 8601 date")
        }
        let kind =
            withoutDash(item.annotationType ?? "").lowercased().contains("concern") ? "concern" : "recommendation"
        var fields: [String: FieldValue] = [
            "text": .text(text), "uhri_id": .text(id), "date": .text(date), "language": .text(language),
            "kind": .text(kind), "themes": .list(values(item.themes)),
            "affected_persons": .list(values(item.affectedPersons)),
            "sdg_targets": .list(unique(values(item.sdgs).compactMap(sdgCode))),
        ]
        if let paragraph { fields["paragraph"] = .text(paragraph) }
        if let symbol = item.symbol?.trimmingCharacters(in: .whitespaces), !symbol.isEmpty {
            fields["document_symbol"] = .text(symbol)
        }
        if let document = item.documentId?.trimmingCharacters(in: .whitespaces), !document.isEmpty {
            fields["document_id"] = .text(document)
        }
        if let state = scope.stateUnderReview(among: stateCodes(item.countries)) {
            fields["state_under_review"] = .text(state)
        }
        // The UPR fields, in the columns the UPR Info import fills.
        let recommending = unique(item.uprRecommendingCountries.compactMap(stateCode))
        if !recommending.isEmpty { fields["recommending_states"] = .list(recommending) }
        if let session = item.uprSessions.lazy.compactMap(firstInteger).first {
            fields["session"] = .integer(Int64(session))
        }
        if let cycle = item.uprCycle.flatMap(firstInteger)
            ?? item.uprSessions.lazy.compactMap(firstInteger).first.flatMap(UPRCycles.cycle(forSession:))
        {
            fields["cycle"] = .integer(Int64(cycle))
        }
        let positions = unique(values(item.uprPositions).map { $0.lowercased() })
        if !positions.isEmpty {
            guard let value = uprPosition(positions) else {
                return fail("unknown UPR position '\(positions.joined(separator: ", "))' (expected Supported or Noted)")
            }
            fields["position"] = .text(value)
            fields["position_source"] = .text("UHRI")
        }
        return .success(ImportedRecommendation(line: position, key: id, fields: fields, mechanism: mechanismCode(body)))
    }

    /// The position column's value for UHRI positions (lowercased), or nil when one is unknown.
    static func uprPosition(_ positions: [String]) -> String? {
        let mapped = positions.map { position -> String? in
            switch position {
            case "supported", "accepted": "supported"
            case "noted", "rejected", "not supported": "noted"
            case "supported in part", "partially supported", "partially accepted": "supported_in_part"
            case "pending", "no response": "pending"
            default: nil
            }
        }
        guard mapped.allSatisfy({ $0 != nil }) else { return nil }
        let distinct = unique(mapped.compactMap { $0 })
        if distinct.count == 1 { return distinct[0] }
        return distinct.contains("supported") ? "supported_in_part" : distinct[0]
    }

    /// The alpha-3 codes of the States named (names, names with a trailing `*`, ISO-2 or ISO-3 codes).
    ///
    /// Names of no State (`European Union`, `Kosovo*`, blanks) give nothing.
    static func stateCodes(_ names: [String]) -> [String] {
        unique(names.compactMap(stateCode))
    }

    /// The alpha-3 code of one State's name or code, or nil.
    static func stateCode(_ raw: String) -> String? {
        var name = withoutDash(raw)
        while name.hasSuffix("*") { name.removeLast() }
        name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        if let code = Countries.code(forName: name) { return code }
        if name.count == 2, let code = Countries.code(forAlpha2: name) { return code }
        if name.count == 3, Countries.name(forCode: name) != nil { return name.uppercased() }
        return nil
    }

    /// Full names under which UHRI gives treaty bodies, beyond `Mechanisms.all`'s names (lowercased).
    static let treatyBodyNames: [String: String] = [
        "committee on the protection of the rights of all migrant workers and members of their families": "CMW",
        "subcommittee on prevention of torture and other cruel, inhuman or degrading treatment or punishment": "SPT",
        "committee on economic social and cultural rights": "CESCR",
        "committee on the rights of persons with disabilities": "CRPD",
    ]

    /// The mechanism code for a UHRI body: UPR, a treaty body (acronym or full name), or `SP:<name>`.
    static func mechanismCode(_ raw: String) -> String {
        let body = withoutDash(raw)
        let lower = body.lowercased()
        if lower == "upr" || lower.contains("universal periodic") { return "UPR" }
        if let known = Mechanisms.all.first(where: { $0.code.lowercased() == lower || $0.name.lowercased() == lower }) {
            return known.code
        }
        if let code = treatyBodyNames[lower] { return code }
        return Mechanisms.specialProcedurePrefix + body
    }

    /// The SDG goal or target code at the start of a UHRI SDG label ("5.2 - ..." or "Goal 5").
    static func sdgCode(_ label: String) -> String? {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        let withoutGoal = trimmed.lowercased().hasPrefix("goal ") ? String(trimmed.dropFirst(5)) : trimmed
        let code = String(withoutGoal.prefix { $0.isNumber || $0 == "." || ($0.isLetter && $0.isLowercase) })
        let cleaned = code.hasSuffix(".") ? String(code.dropLast()) : code
        return SustainableDevelopmentGoals.isGoalOrTarget(cleaned) ? cleaned : nil
    }

    /// Splits a paragraph number glued to the start of a text: "4.The Committee" is ("4", "The Committee").
    ///
    /// A number is taken only when it is short (1-3 digits a part) and followed by `.` or `)`, or
    /// has parts ("28.212 Strengthen"), and then by a letter, a quote or a bracket.
    static func splitParagraph(_ text: String) -> (paragraph: String?, text: String) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var parts = 0
        var digitsInPart = 0
        var number = ""
        while index < scalars.count {
            let scalar = scalars[index]
            if ("0"..."9").contains(scalar) {
                digitsInPart += 1
                guard digitsInPart <= 3 else { return (nil, text) }
                number.unicodeScalars.append(scalar)
            } else if scalar == ".", digitsInPart > 0, index + 1 < scalars.count,
                ("0"..."9").contains(scalars[index + 1])
            {
                parts += 1
                digitsInPart = 0
                number.unicodeScalars.append(scalar)
            } else {
                break
            }
            index += 1
        }
        guard digitsInPart > 0 else { return (nil, text) }
        var separated = parts > 0
        if index < scalars.count, scalars[index] == "." || scalars[index] == ")" {
            separated = true
            index += 1
        }
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        guard separated, index < scalars.count else { return (nil, text) }
        let next = scalars[index]
        guard next.properties.isAlphabetic || "\"“‘'([".unicodeScalars.contains(next) else { return (nil, text) }
        var rest = ""
        rest.unicodeScalars.append(contentsOf: scalars[index...])
        return (number, rest)
    }

    /// The first whole number in a text ("40", "Session 40", "3rd cycle"), or nil.
    static func firstInteger(_ text: String) -> Int? {
        let digits = text.drop { !$0.isASCII || !$0.isNumber }.prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }

    /// A value without the `- ` the exports put before it, trimmed, inner white space collapsed.
    static func withoutDash(_ value: String) -> String {
        var trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-") { trimmed = String(trimmed.dropFirst()) }
        return trimmed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Values without their dashes, blanks left out.
    static func values(_ list: [String]) -> [String] {
        list.map(withoutDash).filter { !$0.isEmpty }
    }

    private static func unique(_ list: [String]) -> [String] {
        var seen: Set<String> = []
        return list.filter { seen.insert($0).inserted }
    }
}
