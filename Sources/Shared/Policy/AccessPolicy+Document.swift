extension AccessPolicy {
    /// The policy as a Markdown table, one row per line: `protocol/POLICY.md` holds this text and
    /// `followup-server policy` prints it.
    public func markdown() -> String {
        var text = "| line | tables | reads | creates | changes and deletes |\n|---|---|---|---|---|\n"
        for line in lines {
            let reads = Self.words(line.reads)
            let creates: String
            let changes: String
            switch line.writes {
            case .asParent:
                creates = "as its parent row"
                changes = "as its parent row"
            case .parties(let creators, let writers, let deleters, let guardedStates, let guardedBy):
                creates = Self.list(creators)
                changes =
                    Self.list(writers)
                    + (Set(deleters) == Set(writers) ? "" : "; deletes: \(Self.list(deleters))")
                    + (guardedStates.isEmpty
                        ? ""
                        : "; rows in, into or out of \(guardedStates.joined(separator: ", ")): \(Self.list(guardedBy)) only")
            }
            text += "| \(line.name) | \(line.tables.joined(separator: ", ")) | \(reads) | \(creates) | \(changes) |\n"
        }
        return text
    }

    /// A read rule in words; a rule nested in a value's readers is put in parentheses.
    private static func words(_ rule: ReadRule) -> String {
        switch rule {
        case .always(let parties): list(parties)
        case .byValue(let column, _, let cases):
            cases.map { item in
                let readers = words(item.readers)
                if case .byValue = item.readers { return "\(column) = \(item.value): (\(readers))" }
                return "\(column) = \(item.value): \(readers)"
            }.joined(separator: "; ")
        case .asParent: "as its parent row (owner only without one)"
        }
    }
}
