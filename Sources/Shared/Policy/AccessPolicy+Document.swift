extension AccessPolicy {
    /// The policy as a Markdown table, one row per line: `protocol/POLICY.md` holds this text and
    /// `followup-server policy` prints it.
    public func markdown() -> String {
        var text = "| line | tables | reads | creates | changes and deletes |\n|---|---|---|---|---|\n"
        for line in lines {
            let reads: String
            switch line.reads {
            case .always(let parties): reads = Self.list(parties)
            case .byValue(let column, _, let cases):
                reads = cases.map { "\(column) = \($0.value): \(Self.list($0.readers))" }.joined(separator: "; ")
            case .asParent: reads = "as its parent row (owner only without one)"
            }
            let creates: String
            let changes: String
            switch line.writes {
            case .asParent:
                creates = "as its parent row"
                changes = "as its parent row"
            case .parties(let creators, let writers, let guardedStates, let guardedBy):
                creates = Self.list(creators)
                changes =
                    Self.list(writers)
                    + (guardedStates.isEmpty
                        ? ""
                        : "; into or out of \(guardedStates.joined(separator: ", ")): \(Self.list(guardedBy)) only")
            }
            text += "| \(line.name) | \(line.tables.joined(separator: ", ")) | \(reads) | \(creates) | \(changes) |\n"
        }
        return text
    }
}
