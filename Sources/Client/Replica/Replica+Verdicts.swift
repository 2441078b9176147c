import Foundation
import GRDB
import RowStorage
import Shared

/// What a push's verdicts did to the outbox.
public struct VerdictOutcome: Sendable, Equatable {
    /// Operations the server accepted (now gone from the outbox).
    public var accepted = 0
    /// Operations refused for good (moved to the rejected list).
    public var rejected = 0
    /// Operations refused because this replica's clock is ahead (still pending).
    public var clockSkew = 0
}

extension Replica {
    /// Applies a push's verdicts: accepted operations leave the outbox, refused ones move to the
    /// rejected list, and those refused for clock skew stay for re-stamping.
    public func record(_ verdicts: [Verdict]) throws -> VerdictOutcome {
        let decoder = WireCoding.decoder()
        let rows = self.rows
        var removedRows = false
        defer { if removedRows { checkpointAfterRemoval() } }
        return try writer.write { db in
            var restores: [(table: String, row: String, current: RowChange?)] = []
            var accepted: [SyncOperation] = []
            var settings = try Self.settings(db)
            var maxKnown = HLCTimestamp(settings.maxKnownHLC) ?? HLCTimestamp(physical: 0)
            var outcome = VerdictOutcome()
            let find = try db.cachedStatement(sql: "SELECT op FROM outbox WHERE op_id = ?")
            let remove = try db.cachedStatement(sql: "DELETE FROM outbox WHERE op_id = ?")
            // Accepted operations are kept for `audit verify`, as they were pushed.
            let keep = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO accepted_op (op_id, seq, op) VALUES (?, ?, ?)")
            // Most pushes are refused nothing: accepted operations matter below only for restores.
            let keepAccepted = verdicts.contains { $0.status == .rejected && $0.code != .clockSkew }
            for verdict in verdicts {
                guard let op = try String.fetchOne(find, arguments: [verdict.op]) else { continue }
                switch verdict.status {
                case .accepted:
                    outcome.accepted += 1
                    try keep.execute(arguments: [verdict.op, verdict.seq ?? 0, op])
                    if keepAccepted {
                        let operation = try decoder.decode(SyncOperation.self, from: Data(op.utf8))
                        maxKnown = max(maxKnown, operation.hlc)
                        accepted.append(operation)
                    } else {
                        maxKnown = max(maxKnown, try Self.stamp(of: op, decoder))
                    }
                case .rejected where verdict.code == .clockSkew:
                    outcome.clockSkew += 1
                    continue
                case .rejected:
                    outcome.rejected += 1
                    let operation = try decoder.decode(SyncOperation.self, from: Data(op.utf8))
                    restores.append((operation.table, operation.row, verdict.current))
                    try db.execute(
                        sql:
                            "INSERT OR REPLACE INTO rejected_op (op_id, op, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            verdict.op, op, (verdict.code ?? .rejected).rawValue, verdict.message ?? "",
                            wallClock.nowMillis(),
                        ])
                }
                try remove.execute(arguments: [verdict.op])
            }
            // A refused edit is never kept silently: the row goes back to the server's state, with
            // the edits still pending on top, and the refused one waits in quarantine.
            removedRows = restores.contains { $0.current?.kind == .purge }
            var clock = settings.clock
            let now = now(settings)
            for restore in restores {
                guard let table = rows.schema.table(restore.table) else { continue }
                if let change = restore.current {
                    if let state = change.state {
                        try rows.save(table, id: restore.row, state: state, db)
                        // The server holds these versions: later local edits must stamp above them.
                        for version in Array(state.versions.values) + [state.tombstone].compactMap({ $0 }) {
                            maxKnown = max(maxKnown, version.hlc)
                            clock.receive(version.hlc, now: now)
                        }
                        // `current` was taken when the refused operation was decided; edits of the
                        // same push accepted after it are part of the server's row as well.
                        for operation in accepted where operation.table == table.name && operation.row == restore.row {
                            try rows.apply(operation, db)
                        }
                    } else {
                        try db.execute(sql: "DELETE FROM \(table.name) WHERE id = ?", arguments: [restore.row])
                    }
                }
                try Self.reapplyPending(table: table.name, row: restore.row, rows: rows, db)
            }
            settings.hlcLast = max(HLCTimestamp(settings.hlcLast) ?? clock.last, clock.last).description
            settings.maxKnownHLC = maxKnown.description
            try settings.update(db)
            return outcome
        }
    }

    /// Drops one quarantined (refused) edit for good.
    public func discardRejected(_ operationID: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM rejected_op WHERE op_id = ?", arguments: [operationID])
            guard db.changesCount == 1 else {
                throw ReplicaError(.notFound, "there is no refused edit \(operationID); see 'followup rejected'")
            }
        }
    }
}
