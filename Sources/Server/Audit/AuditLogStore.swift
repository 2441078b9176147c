import Shared

/// The audit log a server keeps beside its operation log (protocol §18): signed heads, proofs,
/// and the history of a row.
public protocol AuditLogStore: Sendable {
    /// The latest signed head.
    func latestTreeHead() async throws -> SignedTreeHead?
    /// Inclusion proofs of the operations `replica` pushed among `request.ops`.
    func inclusionProofs(_ request: InclusionRequest, replica: String) async throws -> InclusionResponse
    /// The proof that one tree size extends another.
    func consistencyProof(_ request: ConsistencyRequest) async throws -> ConsistencyResponse
    /// The accepted changes of a row when a holder of `keys` may see it now; nil otherwise.
    func history(table: String, row: String, keys: [String]) async throws -> [HistoryEntry]?
}

extension SQLiteServerStorage: AuditLogStore {}
