import NIOHTTP1
import Shared

/// How a replica asks the server about its audit log (protocol §18) and a row's history.
public protocol AuditTransport: Sendable {
    /// The latest signed head (`GET /v1/audit/head`).
    func treeHead() async throws -> SignedTreeHead
    /// Inclusion proofs of this replica's operations (`POST /v1/audit/inclusion`).
    func inclusionProofs(_ request: InclusionRequest) async throws -> InclusionResponse
    /// The proof that one tree size extends another (`POST /v1/audit/consistency`).
    func consistencyProof(_ request: ConsistencyRequest) async throws -> ConsistencyResponse
    /// A row's accepted changes (`POST /v1/history`).
    func history(_ request: HistoryRequest) async throws -> HistoryResponse
}

extension HTTPSyncTransport: AuditTransport {
    public func treeHead() async throws -> SignedTreeHead {
        try await send(path: "/v1/audit/head", method: .GET, body: nil, expecting: SignedTreeHead.self)
    }

    public func inclusionProofs(_ request: InclusionRequest) async throws -> InclusionResponse {
        try await post("/v1/audit/inclusion", request, expecting: InclusionResponse.self)
    }

    public func consistencyProof(_ request: ConsistencyRequest) async throws -> ConsistencyResponse {
        try await post("/v1/audit/consistency", request, expecting: ConsistencyResponse.self)
    }

    public func history(_ request: HistoryRequest) async throws -> HistoryResponse {
        try await post("/v1/history", request, expecting: HistoryResponse.self)
    }
}
