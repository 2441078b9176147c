import Shared

extension Replica {
    /// Records a refused edit again as a new local edit, to be pushed at the next sync, and drops
    /// it from the refused edits; fails with `not_found` when no refused edit has that id.
    ///
    /// For an edit refused for a reason that has since gone (an account changed, an assignment
    /// that now exists); the server decides again.
    ///
    /// - Returns: the row's table.
    @discardableResult
    public func reapplyRejected(_ operationID: String) throws -> String {
        guard let refused = try rejectedOperations().first(where: { $0.operation.id == operationID }) else {
            throw ReplicaError(.notFound, "there is no refused edit \(operationID); see 'followup rejected'")
        }
        let operation = refused.operation
        switch operation.kind {
        case .upsert: try put(operation.table, id: operation.row, fields: operation.fields)
        case .delete: try delete(operation.table, id: operation.row)
        }
        try discardRejected(operationID)
        return operation.table
    }
}
