/// One change to one row: the unit that replicas record, push, pull and merge.
///
/// An `upsert` sets the listed fields; a `delete` is a tombstone. The author's user and
/// organisation and the server sequence are filled in by the server from the authenticated
/// session; whatever a client sends there is ignored.
public struct SyncOperation: Sendable, Hashable, Codable {
    /// What the operation does to its row.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Set the given fields (creating the row if needed).
        case upsert
        /// Delete the row for good (a tombstone).
        case delete
    }

    /// The operation's id (UUIDv7), its idempotency key.
    public var id: String
    /// The table of the row.
    public var table: String
    /// The row's id (UUIDv7).
    public var row: String
    /// Upsert or delete.
    public var kind: Kind
    /// The fields set by an upsert; empty for a delete.
    public var fields: [String: FieldValue]
    /// When it happened, on the writing replica's hybrid logical clock.
    public var hlc: HLCTimestamp
    /// The replica (device) that wrote it.
    public var replica: String
    /// The server sequence, once accepted (server-set).
    public var seq: Int64?
    /// The user who wrote it (server-set).
    public var author: String?
    /// The author's organisation (server-set).
    public var org: String?

    /// Creates an operation.
    public init(
        id: String, table: String, row: String, kind: Kind, fields: [String: FieldValue] = [:],
        hlc: HLCTimestamp, replica: String, seq: Int64? = nil, author: String? = nil, org: String? = nil
    ) {
        self.id = id
        self.table = table
        self.row = row
        self.kind = kind
        self.fields = fields
        self.hlc = hlc
        self.replica = replica
        self.seq = seq
        self.author = author
        self.org = org
    }

    /// The version every field written by this operation gets: its HLC, ties broken by its id.
    ///
    /// Not by its replica: versions travel with rows to every organisation that sees them, and
    /// a replica id would tell them which device wrote what (issue 14).
    public var version: FieldVersion { FieldVersion(hlc: hlc, writer: id) }

    enum CodingKeys: String, CodingKey {
        case id, table, row, kind, fields, hlc, replica, seq, author, org
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        table = try container.decode(String.self, forKey: .table)
        row = try container.decode(String.self, forKey: .row)
        kind = try container.decode(Kind.self, forKey: .kind)
        fields = try container.decodeIfPresent([String: FieldValue].self, forKey: .fields) ?? [:]
        hlc = try container.decode(HLCTimestamp.self, forKey: .hlc)
        replica = try container.decode(String.self, forKey: .replica)
        seq = try container.decodeIfPresent(Int64.self, forKey: .seq)
        author = try container.decodeIfPresent(String.self, forKey: .author)
        org = try container.decodeIfPresent(String.self, forKey: .org)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(table, forKey: .table)
        try container.encode(row, forKey: .row)
        try container.encode(kind, forKey: .kind)
        if kind == .upsert { try container.encode(fields, forKey: .fields) }
        try container.encode(hlc, forKey: .hlc)
        try container.encode(replica, forKey: .replica)
        try container.encodeIfPresent(seq, forKey: .seq)
        try container.encodeIfPresent(author, forKey: .author)
        try container.encodeIfPresent(org, forKey: .org)
    }
}
