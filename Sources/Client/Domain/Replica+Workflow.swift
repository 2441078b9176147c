import Shared

extension Replica {
    /// Moves a row of a workflow table (an action, progress update, assessment, oversight
    /// request or response...) to workflow state `state`, such as `submitted` or `published`.
    ///
    /// Fails with `row_not_found` when no table whose workflow has that state holds the row, and
    /// with the row rules' codes (such as `invalid_transition`) as the server will check them.
    ///
    /// - Returns: the row's table.
    @discardableResult
    public func move(_ id: String, to state: String) throws -> String {
        let tables = schema.tables.filter { $0.workflow?.states.contains(state) == true }.map(\.name)
        guard let table = try tableOf(id, among: tables) else {
            throw ReplicaError(.rowNotFound, "no row \(id) that can be \(state) on this replica")
        }
        if table == "submission", state == "published" { try refusePublishingConfidential(id) }
        // Publishing a revision publishes its values onto the row it revises.
        if state == "published", Schema.revisedTables.contains(table),
            AccessPolicy.text(try row(table, id: id)?["revision_of"]) != nil
        {
            try publishRevision(id)
            return table
        }
        try putAuthorised(table, id: id, fields: ["state": .text(state)])
        return table
    }
}
