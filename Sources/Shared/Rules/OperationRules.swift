import Foundation

/// The checks every operation must pass before it is merged, on the client and on the server.
///
/// Pure functions of the operation, the schema and the row's current state.
public enum OperationRules {
    /// The longest text value accepted, in UTF-8 bytes.
    public static let maxTextBytes = 100_000

    /// Checks the operation's shape against `schema` and returns it with values normalised
    /// (integers in real columns become reals), or the reason it is refused.
    ///
    /// - Parameter allowServerManaged: whether `owner_org`/`created_by` may be set (only by the
    ///   server itself, never by a client's payload).
    public static func validate(
        _ operation: SyncOperation, schema: Schema, allowServerManaged: Bool = false
    ) -> Result<SyncOperation, Rejection> {
        guard isTimeOrderedID(operation.id) else {
            return .failure(Rejection(.invalidID, "operation id '\(operation.id)' is not a UUIDv7"))
        }
        guard isTimeOrderedID(operation.row) else {
            return .failure(Rejection(.invalidID, "row id '\(operation.row)' is not a UUIDv7"))
        }
        guard let table = schema.table(operation.table) else {
            return .failure(Rejection(.unknownTable, "there is no table '\(operation.table)'"))
        }
        var normalised = operation
        switch operation.kind {
        case .delete:
            guard operation.fields.isEmpty else {
                return .failure(Rejection(.invalidOperation, "a delete sets no fields"))
            }
        case .upsert:
            guard !operation.fields.isEmpty else {
                return .failure(Rejection(.invalidOperation, "an upsert must set at least one field"))
            }
            for (name, value) in operation.fields {
                guard let column = table.column(name) else {
                    return .failure(
                        Rejection(.unknownColumn, "table '\(table.name)' has no column '\(name)'"))
                }
                if column.isServerManaged && !allowServerManaged {
                    return .failure(
                        Rejection(
                            .readOnlyColumn,
                            "'\(name)' is set by the server from the signed-in account and cannot be written"))
                }
                switch check(value, for: column, in: table) {
                case .success(let checked): normalised.fields[name] = checked
                case .failure(let rejection): return .failure(rejection)
                }
            }
        }
        return .success(normalised)
    }

    /// Checks the operation against the row it changes (nil when the row does not exist yet).
    public static func checkAgainstRow(
        _ operation: SyncOperation, existing: RowState?, table: TableSchema
    ) -> Rejection? {
        switch operation.kind {
        case .delete:
            if existing == nil {
                return Rejection(.rowNotFound, "\(table.name) \(operation.row) does not exist")
            }
            return nil
        case .upsert:
            if existing?.isDeleted == true {
                return Rejection(
                    .rowDeleted, "\(table.name) \(operation.row) was deleted; a deleted row cannot be edited")
            }
            if let rejection = checkRevision(operation, existing: existing, table: table) { return rejection }
            if let rejection = checkKeyRow(operation, existing: existing, table: table) { return rejection }
            if let workflow = table.workflow, case .text(let target) = operation.fields[workflow.column] {
                if let existing {
                    // A row from before its table had a workflow counts as being in the initial state.
                    let current =
                        existing.values[workflow.column].flatMap { value -> String? in
                            if case .text(let state) = value { return state }
                            return nil
                        } ?? workflow.initial
                    if !workflow.allows(from: current, to: target) {
                        let allowed = workflow.transitions[current, default: []].joined(separator: " or ")
                        return Rejection(
                            .invalidTransition,
                            "\(table.name) \(operation.row) is \(current); it can move to \(allowed.isEmpty ? "no other state" : allowed), not \(target)"
                        )
                    }
                } else if target != workflow.initial {
                    return Rejection(
                        .invalidTransition, "a new \(table.name) starts as \(workflow.initial), not \(target)")
                }
            }
            if existing == nil {
                let missing = table.columns.filter { column in
                    guard column.isRequired else { return false }
                    if case .some(.null) = operation.fields[column.name] { return true }
                    return operation.fields[column.name] == nil
                }
                if !missing.isEmpty {
                    let names = missing.map(\.name).joined(separator: ", ")
                    return Rejection(
                        .missingRequiredField, "a new \(table.name) needs a value for: \(names)")
                }
            }
            return nil
        }
    }

    /// The rules of a revision of published work (`revision_of`): it names another row, is set
    /// when the revision is created and never changes, and the revision itself is never
    /// published (the secretariat publishes its values onto the row it revises).
    static func checkRevision(_ operation: SyncOperation, existing: RowState?, table: TableSchema) -> Rejection? {
        guard table.column("revision_of") != nil else { return nil }
        let stored = existing?.values["revision_of"].flatMap { $0 == .null ? nil : $0 }
        if let proposed = operation.fields["revision_of"] {
            if let existing, !existing.isDeleted, proposed != (stored ?? .null) {
                return Rejection(
                    .invalidValue,
                    "revision_of is set when a revision is created and never changes (\(table.name) \(operation.row))")
            }
            if proposed == .text(operation.row) {
                return Rejection(.invalidValue, "a \(table.name) cannot be a revision of itself")
            }
        }
        let revises = (operation.fields["revision_of"] ?? stored).map { $0 != .null } ?? false
        if revises, let workflow = table.workflow, operation.fields[workflow.column] == .text("published") {
            return Rejection(
                .invalidTransition,
                "a revision is never published itself: the secretariat publishes its values onto the \(table.name) it revises"
            )
        }
        return nil
    }

    /// Refuses a change of a published key's `public_key` or `algorithm` (`organisation_key`).
    ///
    /// The key is set when the row is created and never changes. A rotation is a new row
    /// (protocol §19), so correspondents who pinned the old key see a new one, and texts sealed
    /// to the old key keep naming a key that was published.
    static func checkKeyRow(_ operation: SyncOperation, existing: RowState?, table: TableSchema) -> Rejection? {
        guard table.name == "organisation_key", let existing, !existing.isDeleted else { return nil }
        for column in ["public_key", "algorithm"] {
            guard let proposed = operation.fields[column] else { continue }
            let stored = existing.values[column] ?? .null
            if proposed != stored {
                return Rejection(
                    .invalidValue,
                    "the \(column) of a published key never changes; publish a new organisation_key row to rotate (organisation_key \(operation.row))"
                )
            }
        }
        return nil
    }

    /// Fills in the default value of every column a creating operation leaves out.
    public static func withDefaults(_ operation: SyncOperation, table: TableSchema) -> SyncOperation {
        guard operation.kind == .upsert else { return operation }
        var filled = operation
        for column in table.columns where filled.fields[column.name] == nil {
            if let value = column.defaultValue { filled.fields[column.name] = value }
        }
        return filled
    }

    /// Whether `text` is a UUID of version 7 (RFC 9562 variant) in its lowercase 36-character form.
    ///
    /// Only the lowercase form is accepted, since ids are compared as text.
    public static func isTimeOrderedID(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (48...57).contains(byte) || (97...102).contains(byte) else { return false }
            }
        }
        return utf8[14] == UInt8(ascii: "7")
            && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(utf8[19])
    }

    private static func check(
        _ value: FieldValue, for column: ColumnSchema, in table: TableSchema
    ) -> Result<FieldValue, Rejection> {
        func wrong(_ expected: String) -> Result<FieldValue, Rejection> {
            .failure(
                Rejection(
                    .invalidValue,
                    "\(table.name).\(column.name) must be \(expected), not \(render(value))"))
        }
        if case .null = value {
            if column.isRequired {
                return .failure(
                    Rejection(.invalidValue, "\(table.name).\(column.name) is required and cannot be empty"))
            }
            return .success(.null)
        }
        switch column.type {
        case .text:
            guard case .text(let text) = value else { return wrong("text") }
            guard text.utf8.count <= maxTextBytes else {
                return .failure(
                    Rejection(
                        .invalidValue,
                        "\(table.name).\(column.name) is longer than \(maxTextBytes) bytes"))
            }
            if let control = forbiddenControlCharacter(in: text) {
                return .failure(controlCharacterRejection(control, column: column, table: table))
            }
        case .integer:
            guard case .integer = value else { return wrong("a whole number") }
        case .real:
            switch value {
            case .real(let number) where number.isFinite: break
            case .integer(let number): return .success(.real(Double(number)))
            default: return wrong("a number")
            }
        case .boolean:
            guard case .bool = value else { return wrong("true or false") }
        case .date:
            guard case .text(let text) = value, isCalendarDate(text) else {
                return wrong("a date written YYYY-MM-DD")
            }
        case .enumeration(let allowed):
            guard case .text(let text) = value, allowed.contains(text) else {
                return wrong("one of \(allowed.joined(separator: ", "))")
            }
        case .reference(let target):
            guard case .text(let text) = value, isTimeOrderedID(text) else {
                return wrong("the id of a \(target) row")
            }
        case .list:
            guard case .list(let items) = value else { return wrong("a list of strings") }
            var seen: Set<String> = []
            var cleaned: [String] = []
            for item in items {
                let trimmed = item.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, seen.insert(trimmed).inserted else { continue }
                guard trimmed.utf8.count <= 1_000 else { return wrong("a list of short strings") }
                if let control = forbiddenControlCharacter(in: trimmed) {
                    return .failure(controlCharacterRejection(control, column: column, table: table))
                }
                if let vocabulary = column.vocabulary, let problem = vocabulary.problem(with: trimmed) {
                    return .failure(Rejection(.invalidValue, "\(table.name).\(column.name): \(problem)"))
                }
                cleaned.append(trimmed)
            }
            guard cleaned.count <= 500 else { return wrong("a list of at most 500 items") }
            return .success(.list(cleaned))
        }
        if case .integer(let number) = value, let range = column.range, !range.contains(number) {
            return wrong("a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        if case .text(let text) = value, let vocabulary = column.vocabulary,
            let problem = vocabulary.problem(with: text)
        {
            return .failure(Rejection(.invalidValue, "\(table.name).\(column.name): \(problem)"))
        }
        return .success(value)
    }

    /// The first control character in `text` that has no place in text, if any.
    ///
    /// Tab, line feed and carriage return are text; every other C0 control (NUL and ESC among
    /// them), DEL and the C1 controls are not: a terminal would obey them (clear the screen,
    /// draw fake lines) and SQLite's text functions stop at NUL, so the log and the merged rows
    /// would disagree.
    public static func forbiddenControlCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: false
            case 0x00...0x1F, 0x7F...0x9F: true
            default: false
            }
        }
    }

    private static func controlCharacterRejection(
        _ control: Unicode.Scalar, column: ColumnSchema, table: TableSchema
    ) -> Rejection {
        let code = String(control.value, radix: 16, uppercase: true)
        return Rejection(
            .invalidValue,
            "\(table.name).\(column.name) holds the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code), which has no place in text"
        )
    }

    private static func render(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): "\"\(text.prefix(40))\""
        case .null: "null"
        default: value.description
        }
    }

    /// Whether `text` is a real calendar date written `YYYY-MM-DD`.
    public static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }), parts[0].count == 4,
            parts[1].count == 2,
            parts[2].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}
