import Foundation
import GRDB
import RowStorage
import Shared

/// A row's history as this replica can tell it: the changes the server's log accepted (§18.6),
/// then this replica's edits still waiting in its outbox, each field with the value it set
/// when this replica knows it.
public struct RowHistory: Sendable, Equatable {
    /// What this replica knows of the value a change set.
    public enum Value: Sendable, Equatable {
        /// The value, opened when it was sealed to a key this replica holds.
        case known(FieldValue)
        /// A sealed text this replica holds no key for.
        case sealed
        /// Replaced by a later change: the server's log names the fields, not their values, and
        /// this replica keeps only each field's current value and its own edits.
        case replaced
    }

    /// One field a change set.
    public struct Field: Sendable, Equatable {
        /// The column.
        public var name: String
        /// Its new value, as far as this replica knows it.
        public var value: Value
    }

    /// One change of the row.
    public struct Change: Sendable, Equatable {
        /// When the server accepted it; for a pending edit, when it was made (milliseconds since 1970).
        public var at: Int64
        /// The user who made it.
        public var user: String
        /// The user's organisation.
        public var org: String
        /// `upsert` or `delete`.
        public var kind: SyncOperation.Kind
        /// The fields it set, by name (none for a delete).
        public var fields: [Field]
        /// Whether it waits in this replica's outbox, not yet accepted by the server.
        public var pending: Bool
    }

    /// The changes: the accepted ones in the log's order, then the pending ones in the order made.
    public var changes: [Change]
}

/// The latest signed head of the server's audit log this replica has seen (§18.3).
public struct SeenTreeHead: Sendable, Equatable {
    /// The number of operations under it.
    public var treeSize: Int64
    /// When the server signed it (milliseconds since 1970).
    public var signedAt: Int64
    /// Whether `audit verify` showed it extends the heads seen before it.
    public var checked: Bool
}

extension Replica {
    /// The history of row `row` of `table`: `accepted`, the server's answer to
    /// `history(table:row:)` (nil when the server could not be asked), with the values this
    /// replica knows, then this replica's pending edits of the row.
    ///
    /// A value is known when this replica pushed the change (its accepted operations are kept
    /// for `audit verify`) or when the change still holds the field's current value; a sealed
    /// text opens only with a private key held here. Values the replica does not hold never
    /// appear: every value comes from the row as this replica holds it or from its own edits.
    public func rowHistory(table tableName: String, row id: String, accepted: HistoryResponse?) throws -> RowHistory {
        let table = try table(tableName)
        let decoder = WireCoding.decoder()
        return try writer.read { db in
            let settings = try Self.settings(db)
            let state = try rows.load(table, id: id, db)
            // This replica's own operations on the row: accepted (kept as pushed) and pending.
            func operations(_ sql: String) throws -> [SyncOperation] {
                try String.fetchAll(db, sql: sql, arguments: ["\"row\":\"\(id)\""]).compactMap {
                    try? decoder.decode(SyncOperation.self, from: Data($0.utf8))
                }
                .filter { $0.table == tableName && $0.row == id }
            }
            let own = try operations("SELECT op FROM accepted_op WHERE instr(op, ?) > 0 ORDER BY seq, op_id")
            let ownByStamp = Dictionary(own.map { ("\($0.hlc)", $0) }) { first, _ in first }
            let pending = try operations("SELECT op FROM outbox WHERE instr(op, ?) > 0 ORDER BY seq")

            func shown(_ column: String, _ value: FieldValue) throws -> RowHistory.Value {
                let opened = try Self.revealed(tableName, id: id, [column: value], db)[column] ?? value
                if case .text(let text) = opened, text.hasPrefix(SealedText.prefix) { return .sealed }
                return .known(opened)
            }
            var changes: [RowHistory.Change] = []
            for entry in accepted?.entries ?? [] {
                let mine = ownByStamp[entry.hlc]
                let fields = try entry.fields.map { column -> RowHistory.Field in
                    if let value = mine?.fields[column] { return .init(name: column, value: try shown(column, value)) }
                    if let version = state?.versions[column], version.description.hasPrefix(entry.hlc + "@"),
                        let value = state?.values[column]
                    {
                        return .init(name: column, value: try shown(column, value))
                    }
                    return .init(name: column, value: .replaced)
                }
                changes.append(
                    .init(
                        at: entry.acceptedAt, user: entry.user, org: entry.org, kind: entry.kind, fields: fields,
                        pending: false))
            }
            for operation in pending {
                let fields = try operation.fields.keys.sorted().map { column in
                    RowHistory.Field(name: column, value: try shown(column, operation.fields[column] ?? .null))
                }
                changes.append(
                    .init(
                        at: operation.hlc.physical, user: settings.userName, org: settings.org,
                        kind: operation.kind, fields: fields, pending: true))
            }
            return RowHistory(changes: changes)
        }
    }

    /// The latest signed head of the server's audit log this replica has seen, if any.
    public func latestSeenTreeHead() throws -> SeenTreeHead? {
        try writer.read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT tree_size, signed_at, checked FROM audit_head ORDER BY tree_size DESC, signed_at DESC LIMIT 1"
            ).map { SeenTreeHead(treeSize: $0[0], signedAt: $0[1], checked: $0[2]) }
        }
    }
}
