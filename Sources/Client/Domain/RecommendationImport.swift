import CSV
import Crypto
import Foundation
import GRDB
import RowStorage
import Shared

/// A row of an import file that could not be read, with its line and the reason.
public struct InvalidImportRow: Error, Sendable, Equatable, Codable {
    /// The record's line in the file (the header is line 1).
    public var line: Int
    /// Why it was refused.
    public var reason: String
}

/// One recommendation read from an import file, keyed by its external id.
public struct ImportedRecommendation: Sendable, Equatable {
    /// The record's line (or position) in the file.
    public var line: Int
    /// The external key (`upr_info_key` or `uhri_id`).
    public var key: String
    /// The recommendation's columns.
    public var fields: [String: FieldValue]
    /// The mechanism code the recommendation belongs to.
    public var mechanism: String
}

/// What an import did.
public struct ImportReport: Sendable, Equatable, Codable {
    /// Records in the file (invalid ones and repeats included).
    public var read = 0
    /// Recommendations created.
    public var new = 0
    /// Recommendations changed.
    public var updated = 0
    /// Recommendations already as in the file (repeated records included).
    public var unchanged = 0
    /// Records refused, with line numbers and reasons.
    public var invalid: [InvalidImportRow] = []
    /// Records about other States than the one kept, left out while reading (counted in `read`).
    public var otherStates = 0

    /// Creates a report.
    public init(
        read: Int = 0, new: Int = 0, updated: Int = 0, unchanged: Int = 0, invalid: [InvalidImportRow] = [],
        otherStates: Int = 0
    ) {
        self.read = read
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
        self.invalid = invalid
        self.otherStates = otherStates
    }

    enum CodingKeys: String, CodingKey {
        case read, new, updated, unchanged, invalid
        case otherStates = "other_states"
    }
}

/// Which States' records an import keeps.
public enum ImportScope: Sendable, Equatable {
    /// Only the records about this State (ISO 3166 alpha-3); the others are counted and left out.
    case state(String)
    /// Every record, whatever State it is about (and records about no State).
    case allStates

    /// Whether a record about `states` (alpha-3 codes) is kept.
    public func keeps(_ states: [String]) -> Bool {
        switch self {
        case .state(let code): states.contains(code.uppercased())
        case .allStates: true
        }
    }

    /// The State under review a kept record about `states` gets: the kept State, or the first one.
    public func stateUnderReview(among states: [String]) -> String? {
        switch self {
        case .state(let code): code.uppercased()
        case .allStates: states.first
        }
    }
}

extension Replica {
    /// The States an import keeps unless told otherwise: the deployment's State once a sync
    /// brought it (`followup-server admin set-state`), else every State.
    public func defaultImportScope() throws -> ImportScope {
        try settings().deploymentState.map { .state($0) } ?? .allStates
    }
}

/// What reading an export gave: the records kept, the invalid ones, and how many were about other States.
public struct ParsedImport: Sendable, Equatable {
    /// The valid records of the States kept.
    public var records: [ImportedRecommendation] = []
    /// The invalid records of the States kept.
    public var invalid: [InvalidImportRow] = []
    /// Records about other States, left out.
    public var otherStates = 0

    /// Creates a result.
    public init(records: [ImportedRecommendation] = [], invalid: [InvalidImportRow] = [], otherStates: Int = 0) {
        self.records = records
        self.invalid = invalid
        self.otherStates = otherStates
    }

    /// Every record read: kept, invalid and of other States.
    public var read: Int { records.count + invalid.count + otherStates }
}

/// The UPR Info export: CSV with `To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session`.
///
/// Files of 2015 have old-Mac CR line endings, Mac Roman text and HTML entities in some cells.
public enum UPRInfoFormat {
    /// The expected header.
    public static let columns = [
        "To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org", "Response", "Action", "Issue", "Session",
    ]

    /// Reads every record of a UPR Info export.
    public static func parse(_ data: Data) throws -> (records: [ImportedRecommendation], invalid: [InvalidImportRow]) {
        let parsed = try parse(data, scope: .allStates)
        return (parsed.records, parsed.invalid)
    }

    /// Reads the records of a UPR Info export whose `To` is a State of `scope`; counts the others.
    public static func parse(_ data: Data, scope: ImportScope) throws -> ParsedImport {
        let text = String(data: data, encoding: .utf8) ?? MacRoman.decode(data)
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ReplicaError(.invalidFile, "the file is not a readable CSV (\(error))")
        }
        guard let header = reader.headerRow?.map({ $0.trimmingCharacters(in: .whitespaces) }), header == columns else {
            throw ReplicaError(
                .invalidFile, "this is not a UPR Info export: the header must be \(columns.joined(separator: ","))")
        }
        var parsed = ParsedImport()
        var line = 1
        while let row = reader.next() {
            line += 1
            if case .state(let kept) = scope, let to = row.first,
                Countries.code(forName: HTMLText.plain(to)) != kept.uppercased()
            {
                // An unknown `To` stays invalid (it may be the kept State misspelt); other States are left out.
                if Countries.code(forName: HTMLText.plain(to)) != nil {
                    parsed.otherStates += 1
                    continue
                }
            }
            switch record(row, line: line) {
            case .success(let record): parsed.records.append(record)
            case .failure(let problem): parsed.invalid.append(problem)
            }
        }
        if let error = reader.error {
            parsed.invalid.append(InvalidImportRow(line: line + 1, reason: "the CSV breaks off here (\(error))"))
        }
        return parsed
    }

    static func record(_ row: [String], line: Int) -> Result<ImportedRecommendation, InvalidImportRow> {
        func fail(_ reason: String) -> Result<ImportedRecommendation, InvalidImportRow> {
            .failure(InvalidImportRow(line: line, reason: reason))
        }
        guard row.count == columns.count else {
            return fail("expected \(columns.count) fields, found \(row.count)")
        }
        let cell = row.map { HTMLText.plain($0) }
        let (to, text, from, response, action, issue, session) = (
            cell[0], cell[3], cell[4], cell[7], cell[8], cell[9], cell[10]
        )
        guard !text.isEmpty else { return fail("the recommendation text is empty") }
        guard let state = Countries.code(forName: to) else { return fail("unknown state under review '\(to)'") }
        guard let sessionNumber = Int(session), let cycle = UPRCycles.cycle(forSession: sessionNumber) else {
            return fail("session must be a UPR session number, not '\(session)'")
        }
        var fields: [String: FieldValue] = [
            "text": .text(text), "state_under_review": .text(state), "session": .integer(Int64(sessionNumber)),
            "cycle": .integer(Int64(cycle)), "kind": .text("recommendation"), "language": .text("en"),
            "position_source": .text("UPR Info"),
            "themes": .list(issue.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }),
            "recommending_states": .list(Countries.code(forName: from).map { [$0] } ?? []),
        ]
        switch response.lowercased() {
        case "accepted", "supported": fields["position"] = .text("supported")
        case "noted", "rejected": fields["position"] = .text("noted")
        case "partially accepted", "supported in part": fields["position"] = .text("supported_in_part")
        case "", "pending", "no response": fields["position"] = .text("pending")
        default: return fail("unknown response '\(response)' (expected Accepted or Noted)")
        }
        if !action.isEmpty {
            guard let category = Int64(action), (1...5).contains(category) else {
                return fail("action category must be 1 to 5, not '\(action)'")
            }
            fields["action_category"] = .integer(category)
        }
        // The export has no ids: a record is identified by its content, every column of it, so
        // that each distinct row is one recommendation and importing the file again changes nothing.
        let identity = cell.joined(separator: "\u{1F}")
        let key = SHA256.hash(data: Data(identity.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return .success(ImportedRecommendation(line: line, key: key, fields: fields, mechanism: "UPR"))
    }
}

/// Turns the HTML of exports into plain text.
enum HTMLText {
    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "rsquo": "’", "lsquo": "‘",
        "ldquo": "“", "rdquo": "”", "ndash": "–", "mdash": "—", "eacute": "é", "egrave": "è", "ccedil": "ç",
    ]

    /// Strips tags, decodes entities, turns control characters into spaces and collapses white
    /// space (the column rules refuse control characters other than tab and line breaks).
    static func plain(_ html: String) -> String {
        var text = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let tag = html[index...close].lowercased()
                if tag.hasPrefix("<br") || tag.hasPrefix("<p") || tag.hasPrefix("</p") || tag.hasPrefix("<li") {
                    text += " "
                }
                index = html.index(after: close)
            } else if character == "&", let semicolon = html[index...].prefix(10).firstIndex(of: ";") {
                let name = String(html[html.index(after: index)..<semicolon])
                if let decoded = decode(name) {
                    text += decoded
                    index = html.index(after: semicolon)
                } else {
                    text.append(character)
                    index = html.index(after: index)
                }
            } else {
                text.append(character)
                index = html.index(after: index)
            }
        }
        if OperationRules.forbiddenControlCharacter(in: text) != nil {
            text = String(
                String.UnicodeScalarView(
                    text.unicodeScalars.map {
                        OperationRules.forbiddenControlCharacter(in: String($0)) == nil ? $0 : " "
                    }
                ))
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func decode(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16) {
            return UnicodeScalar(value).map { String(Character($0)) }
        }
        if name.hasPrefix("#"), let value = UInt32(name.dropFirst()) {
            return UnicodeScalar(value).map { String(Character($0)) }
        }
        return entities[name]
    }
}

extension Replica {
    /// Imports recommendations: creates new ones, updates changed ones, leaves the rest; one transaction.
    ///
    /// Records are matched on `keyColumn` (`upr_info_key` or `uhri_id`), so importing the same
    /// file again changes nothing. Special procedures and regional bodies the records name are
    /// created when missing; the UPR and the treaty bodies come from the server, so an import
    /// before the first sync fails with `sync_required` and writes nothing.
    ///
    /// When a record fails the column rules, nothing is written unless `skipInvalid` is set; the
    /// report lists the failures either way.
    public func importRecommendations(
        _ records: [ImportedRecommendation], keyColumn: String, skipInvalid: Bool = false
    ) throws -> ImportReport {
        // Recommendations are the secretariat's to write: anyone else hears it now, not after
        // thousands of refusals at the next sync.
        try authorise([RowEdit(table: "recommendation", fields: ["text": .text("(import)")])])
        var report = ImportReport()
        report.read = records.count
        let table = try self.table("recommendation")
        var mechanisms = Dictionary(
            try rows("mechanism").compactMap { row -> (String, String)? in
                guard case .text(let code) = row.values["code"] else { return nil }
                return (code, row.id)
            }, uniquingKeysWith: { first, _ in first })
        var existing: [String: (id: String, values: [String: FieldValue])] = [:]
        try read { db in
            let cursor = try String.fetchCursor(
                db, sql: "SELECT id FROM recommendation WHERE \(keyColumn) IS NOT NULL AND _deleted IS NULL")
            let store = RowStore(schema: schema)
            while let id = try cursor.next() {
                guard let values = try store.values(table, id: id, db), case .text(let key) = values[keyColumn] else {
                    continue
                }
                existing[key] = (id, values)
            }
        }
        var edits: [RowEdit] = []
        var seen: Set<String> = []
        for record in records {
            guard seen.insert(record.key).inserted else {
                report.unchanged += 1
                continue
            }
            var fields = record.fields
            fields[keyColumn] = .text(record.key)
            if mechanisms[record.mechanism] == nil {
                // The UPR and the treaty bodies come from the server (its reference rows): a
                // replica that has not pulled them yet must not invent a second one.
                if Mechanisms.mechanism(forCode: record.mechanism) != nil {
                    throw ReplicaError(
                        .syncRequired,
                        "this replica has not received the UN mechanisms from the server yet (\(record.mechanism)); run 'followup sync', then import again; nothing was imported"
                    )
                }
                let kind: String
                if record.mechanism.hasPrefix(Mechanisms.specialProcedurePrefix) {
                    kind = "special_procedure"
                } else if record.mechanism.hasPrefix(Mechanisms.regionalPrefix) {
                    kind = "regional"
                } else {
                    report.invalid.append(
                        InvalidImportRow(line: record.line, reason: "unknown mechanism '\(record.mechanism)'"))
                    continue
                }
                let id = UUIDv7.make()
                mechanisms[record.mechanism] = id
                edits.append(
                    RowEdit(table: "mechanism", id: id, fields: ["code": .text(record.mechanism), "kind": .text(kind)]))
            }
            fields["mechanism_id"] = .text(mechanisms[record.mechanism]!)
            let normalised: [String: FieldValue]
            switch OperationRules.validate(
                SyncOperation(
                    id: UUIDv7.make(), table: table.name, row: UUIDv7.make(), kind: .upsert, fields: fields,
                    hlc: HLCTimestamp(physical: 0), replica: ""),
                schema: schema)
            {
            case .success(let operation): normalised = table.normalised(operation.fields)
            case .failure(let rejection):
                report.invalid.append(InvalidImportRow(line: record.line, reason: rejection.message))
                continue
            }
            if let current = existing[record.key] {
                let changed = normalised.filter { (current.values[$0.key] ?? .null) != $0.value }
                if changed.isEmpty {
                    report.unchanged += 1
                } else {
                    report.updated += 1
                    edits.append(RowEdit(table: table.name, id: current.id, fields: changed))
                }
            } else {
                report.new += 1
                edits.append(RowEdit(table: table.name, fields: normalised))
            }
        }
        if !report.invalid.isEmpty && !skipInvalid { return report }
        if !edits.isEmpty { _ = try put(edits) }
        return report
    }
}

/// Mac OS Roman, the encoding of the 2015 UPR Info exports.
enum MacRoman {
    /// The characters of bytes 128 to 255.
    static let upperHalf: [Unicode.Scalar] = Array(
        "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u{00A0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{F8FF}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ"
            .unicodeScalars)

    /// Decodes Mac OS Roman bytes.
    static func decode(_ data: Data) -> String {
        var text = ""
        text.reserveCapacity(data.count)
        for byte in data {
            if byte < 128 {
                text.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                text.unicodeScalars.append(upperHalf[Int(byte) - 128])
            }
        }
        return text
    }
}
