import Shared

extension Replica {
    /// Whether the access policy, applied to the rows this replica holds, lets its organisation
    /// make `edit` (a new row when `edit.id` is nil); the server still decides in the end.
    ///
    /// What a page asks before it offers a form or a button.
    public func permits(_ edit: RowEdit) -> Bool {
        do {
            try authorise([edit])
            return true
        } catch {
            return false
        }
    }

    /// The workflow states row `id` of `table` may move to in one step that this organisation
    /// may set, in the workflow's order; none for a table without a workflow or a missing row.
    ///
    /// A confidential submission is never published (it is for the NHRI alone).
    public func allowedMoves(_ table: String, id: String) throws -> [String] {
        guard let workflow = try self.table(table).workflow, let values = try row(table, id: id) else { return [] }
        let current = AccessPolicy.text(values[workflow.column]) ?? workflow.initial
        return workflow.states.filter { state in
            guard state != current, workflow.allows(from: current, to: state) else { return false }
            if table == "submission", state == "published", values["confidential"] == .bool(true) { return false }
            return permits(RowEdit(table: table, id: id, fields: [workflow.column: .text(state)]))
        }
    }

    /// The institution row of this replica's own organisation, when the replica holds it.
    public func ownInstitution() throws -> String? {
        try? institutionID(settings().org)
    }
}
