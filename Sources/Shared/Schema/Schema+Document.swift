extension Schema {
    /// The schema's tables as Markdown: `protocol/SCHEMA.md` holds this text, and a test checks it.
    ///
    /// Each table, in schema order, gets a "#### `name`" heading and a table of its columns in
    /// declaration order (the server-managed ones first, a workflow's state last): the column's
    /// wire type, whether it is required, who sets it, and the values it allows as the schema
    /// declares them (enumeration values, referenced table, range, vocabulary, default). A table
    /// with a workflow also gets the moves its workflow allows. Sections are separated by a blank
    /// line, and the text ends with a newline.
    public var markdownTables: String {
        tables.map(\.markdownSection).joined(separator: "\n")
    }
}

extension TableSchema {
    /// This table's section of `Schema.markdownTables`.
    fileprivate var markdownSection: String {
        var text = "#### `\(name)`\n\n"
        text += "| column | type | required | set by | allowed values |\n|---|---|---|---|---|\n"
        for column in columns {
            let cells = [
                "`\(column.name)`", column.type.markdownName, column.isRequired ? "yes" : "no",
                column.isServerManaged ? "server" : "client", column.markdownConstraints,
            ]
            text += "| " + cells.joined(separator: " | ") + " |\n"
        }
        if let workflow {
            text += "\n" + workflow.markdownMoves
        }
        return text
    }
}

extension ColumnType {
    /// The type's name on the wire and in `protocol/README.md` §5.2.
    fileprivate var markdownName: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .real: "real"
        case .boolean: "boolean"
        case .date: "date"
        case .enumeration: "enumeration"
        case .reference: "reference"
        case .list: "list"
        }
    }
}

extension ColumnSchema {
    /// The column's constraints besides its type, joined with "; " (empty when it has none).
    fileprivate var markdownConstraints: String {
        var parts: [String] = []
        switch type {
        case .enumeration(let values): parts.append("one of " + values.map { "`\($0)`" }.joined(separator: ", "))
        case .reference(let table): parts.append("a row of `\(table)`")
        default: break
        }
        if let range { parts.append("range \(range.lowerBound)…\(range.upperBound)") }
        if let vocabulary { parts.append("vocabulary `\(vocabulary.markdownName)`") }
        if let defaultValue { parts.append("default `\(defaultValue.description)`") }
        return parts.joined(separator: "; ")
    }
}

extension Vocabulary {
    /// The vocabulary's name in `protocol/README.md` §5.2.
    fileprivate var markdownName: String {
        switch self {
        case .country: "country"
        case .sdg: "sdg"
        case .currency: "currency"
        case .rowID: "row_id"
        case .publicKey: "public_key"
        }
    }
}

extension Workflow {
    /// A sentence naming the workflow, its column and initial state, and a table of its moves.
    fileprivate var markdownMoves: String {
        let name = self == .review ? " `review`" : self == .publication ? " `publication`" : ""
        var text = "Workflow\(name) on `\(column)`: a new row starts in `\(initial)`. "
        text += "Moves allowed in one step (staying in the same state is always allowed):\n\n"
        text += "| from | to |\n|---|---|\n"
        for state in states {
            let targets = transitions[state, default: []]
            let cell = targets.isEmpty ? "none" : targets.map { "`\($0)`" }.joined(separator: ", ")
            text += "| `\(state)` | \(cell) |\n"
        }
        return text
    }
}
