/// `POST /v1/audit/inclusion` body: operations this replica pushed, and the tree to prove them in.
public struct InclusionRequest: Codable, Sendable, Equatable {
    /// The size of the tree the proofs are for (a signed head's), at most the log's size.
    public var treeSize: Int64
    /// Operation ids, at most `InclusionRequest.maxOperations`.
    public var ops: [String]

    /// The most operation ids one request may name.
    public static let maxOperations = 1_000

    /// Creates a request.
    public init(treeSize: Int64, ops: [String]) {
        self.treeSize = treeSize
        self.ops = ops
    }

    enum CodingKeys: String, CodingKey {
        case ops
        case treeSize = "tree_size"
    }
}

/// One operation's place in the log and the audit path proving it.
public struct InclusionProof: Codable, Sendable, Equatable {
    /// The operation's id.
    public var op: String
    /// Its leaf index (0 for the first accepted operation).
    public var index: Int64
    /// The operation as the log holds it (author and organisation stamped): its leaf bytes are
    /// `AuditLeaf.bytes(of:)` of it.
    public var operation: SyncOperation
    /// The audit path, deepest node first (RFC 9162 §2.1.3.1).
    public var path: [TreeHash]

    /// Creates a proof.
    public init(op: String, index: Int64, operation: SyncOperation, path: [TreeHash]) {
        self.op = op
        self.index = index
        self.operation = operation
        self.path = path
    }
}

/// `POST /v1/audit/inclusion` answer.
public struct InclusionResponse: Codable, Sendable, Equatable {
    /// The tree size the proofs are for.
    public var treeSize: Int64
    /// One proof per operation found among the first `treeSize` leaves, in request order.
    public var proofs: [InclusionProof]
    /// The ids the server did not find among them (or that another replica pushed).
    public var missing: [String]

    /// Creates an answer.
    public init(treeSize: Int64, proofs: [InclusionProof], missing: [String]) {
        self.treeSize = treeSize
        self.proofs = proofs
        self.missing = missing
    }

    enum CodingKeys: String, CodingKey {
        case proofs, missing
        case treeSize = "tree_size"
    }
}

/// `POST /v1/audit/consistency` body: two tree sizes, the older first.
public struct ConsistencyRequest: Codable, Sendable, Equatable {
    /// The older size.
    public var from: Int64
    /// The newer size, at most the log's size.
    public var to: Int64

    /// Creates a request.
    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }
}

/// `POST /v1/audit/consistency` answer.
public struct ConsistencyResponse: Codable, Sendable, Equatable {
    /// The older size.
    public var from: Int64
    /// The newer size.
    public var to: Int64
    /// The proof (RFC 9162 §2.1.4.1); empty when the sizes are equal or `from` is 0.
    public var path: [TreeHash]

    /// Creates an answer.
    public init(from: Int64, to: Int64, path: [TreeHash]) {
        self.from = from
        self.to = to
        self.path = path
    }
}

/// `POST /v1/history` body: a row whose changes the session wants to see.
public struct HistoryRequest: Codable, Sendable, Equatable {
    /// The table.
    public var table: String
    /// The row id.
    public var row: String

    /// Creates a request.
    public init(table: String, row: String) {
        self.table = table
        self.row = row
    }
}

/// One accepted change of a row: who, when, and which fields.
public struct HistoryEntry: Codable, Sendable, Equatable {
    /// When the server accepted it, milliseconds since the epoch.
    public var acceptedAt: Int64
    /// When it was made, on the writing replica's clock (`<physical>-<logical>`).
    public var hlc: String
    /// The user who made it.
    public var user: String
    /// The user's organisation.
    public var org: String
    /// `upsert` or `delete`.
    public var kind: SyncOperation.Kind
    /// The fields it set, sorted (empty for a delete).
    public var fields: [String]

    /// Creates an entry.
    public init(acceptedAt: Int64, hlc: String, user: String, org: String, kind: SyncOperation.Kind, fields: [String]) {
        self.acceptedAt = acceptedAt
        self.hlc = hlc
        self.user = user
        self.org = org
        self.kind = kind
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case hlc, user, org, kind, fields
        case acceptedAt = "accepted_at"
    }
}

/// `POST /v1/history` answer: the row's accepted changes, oldest first.
public struct HistoryResponse: Codable, Sendable, Equatable {
    /// The table.
    public var table: String
    /// The row id.
    public var row: String
    /// The changes, in acceptance order.
    public var entries: [HistoryEntry]

    /// Creates an answer.
    public init(table: String, row: String, entries: [HistoryEntry]) {
        self.table = table
        self.row = row
        self.entries = entries
    }
}
