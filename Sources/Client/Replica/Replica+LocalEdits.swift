import Foundation
import GRDB
import RowStorage
import Shared

/// One row change of a multi-row edit.
public struct RowEdit: Sendable, Equatable {
    /// The table.
    public var table: String
    /// The row id; nil creates a new row.
    public var id: String?
    /// The fields to set.
    public var fields: [String: FieldValue]

    /// Creates an edit.
    public init(table: String, id: String? = nil, fields: [String: FieldValue]) {
        self.table = table
        self.id = id
        self.fields = fields
    }
}

extension Replica {
    /// Sets fields of a row (creating it when `id` is nil or unknown) and records the operation.
    ///
    /// - Returns: the row id.
    @discardableResult
    public func put(_ tableName: String, id: String? = nil, fields: [String: FieldValue]) throws -> String {
        try put(tableName, rows: [(id, fields)]).first!
    }

    /// Sets fields of several rows of one table in one transaction: all are written or none.
    ///
    /// - Returns: the row ids, in order.
    public func put(_ tableName: String, rows edits: [(id: String?, fields: [String: FieldValue])]) throws -> [String] {
        try put(edits.map { RowEdit(table: tableName, id: $0.id, fields: $0.fields) })
    }

    /// Sets fields of rows of any tables in one transaction: all are written or none.
    ///
    /// - Returns: the row ids, in order.
    public func put(_ edits: [RowEdit]) throws -> [String] {
        let tables = try Dictionary(uniqueKeysWithValues: Set(edits.map(\.table)).map { ($0, try table($0)) })
        return try record { db, clock, settings in
            try edits.enumerated().map { index, edit in
                let table = tables[edit.table]!
                let hlc = clock.tick(now: now(settings))
                let rowID = edit.id ?? UUIDv7.make(millis: hlc.physical)
                var operation = SyncOperation(
                    id: UUIDv7.make(millis: hlc.physical), table: table.name, row: rowID, kind: .upsert,
                    fields: edit.fields, hlc: hlc, replica: settings.replicaID)
                if try rows.load(table, id: rowID, db) == nil {
                    operation = OperationRules.withDefaults(operation, table: table)
                }
                do {
                    return (try checked(operation, table: table, db), rowID)
                } catch let error as ReplicaError where edits.count > 1 {
                    throw ReplicaError(error.code, "item \(index + 1): \(error.message); nothing was written")
                }
            }
        }
    }

    /// Deletes a row for good and records the tombstone operation.
    public func delete(_ tableName: String, id: String) throws {
        let table = try table(tableName)
        _ = try record { db, clock, settings in
            let hlc = clock.tick(now: now(settings))
            let operation = SyncOperation(
                id: UUIDv7.make(millis: hlc.physical), table: table.name, row: id, kind: .delete, hlc: hlc,
                replica: settings.replicaID)
            guard try rows.load(table, id: id, db).map({ !$0.isDeleted }) == true else {
                throw ReplicaError(.rowNotFound, "there is no \(table.name) \(id) on this replica")
            }
            return [(try checked(operation, table: table, db), id)]
        }
    }

    /// Validates `operation` as the server will, so a clerk hears of a mistake at once.
    ///
    /// - Returns: the operation with its values normalised, exactly as the server will store it.
    func checked(_ operation: SyncOperation, table: TableSchema, _ db: Database) throws -> SyncOperation {
        let normalised: SyncOperation
        switch OperationRules.validate(operation, schema: schema) {
        case .failure(let rejection):
            throw ReplicaError(rejection.code, rejection.message)
        case .success(let valid):
            normalised = valid
        }
        if let rejection = OperationRules.checkAgainstRow(
            normalised, existing: try rows.load(table, id: operation.row, db), table: table)
        {
            throw ReplicaError(rejection.code, rejection.message)
        }
        return normalised
    }

    /// Runs `makeOperations` in one write transaction, then merges and enqueues what it returns.
    func record(
        _ makeOperations: (Database, inout HybridLogicalClock, ReplicaSettings) throws -> [(SyncOperation, String)]
    ) throws -> [String] {
        try writer.write { db in
            var settings = try Self.settings(db)
            var clock = settings.clock
            let made = try makeOperations(db, &clock, settings)
            let enqueue = try db.cachedStatement(sql: "INSERT INTO outbox (op_id, op) VALUES (?, ?)")
            for (made, _) in made {
                // A confidential text is sealed before it is stored or queued (or its row waits).
                let operation = try sealing(made, db)
                try rows.apply(operation, db)
                try enqueue.execute(arguments: [operation.id, WireJSON.encode(operation)])
            }
            settings.hlcLast = clock.last.description
            try settings.update(db)
            return made.map(\.1)
        }
    }

    func now(_ settings: ReplicaSettings) -> Int64 {
        wallClock.nowMillis() + settings.clockOffsetMillis
    }
}
