/// An operation the server's log already holds: its sequence, the replica that sent it, and the
/// operation as the log records it.
public struct LoggedOperation: Sendable, Equatable {
    /// The operation's sequence in the log.
    public var seq: Int64
    /// The replica (device) that pushed it.
    public var replica: String
    /// The operation as accepted (defaults filled in, owner and creator stamped).
    public var operation: SyncOperation

    /// Creates a log reference.
    public init(seq: Int64, replica: String, operation: SyncOperation) {
        self.seq = seq
        self.replica = replica
        self.operation = operation
    }
}

/// What the server decides about one pushed operation, before anything is stored.
public enum PushDecision: Sendable, Equatable {
    /// Accepted: the operation as the log records it (defaults filled in for a new row, owner,
    /// creator, author and organisation stamped from the session).
    case accept(SyncOperation)
    /// The replica sent an operation the log already holds: it gets its first verdict again.
    case alreadyAccepted(seq: Int64)
    /// Refused; `withCurrentRow` says whether the verdict carries the row as the session may see
    /// it now, so the replica can restore it.
    case reject(Rejection, withCurrentRow: Bool)
}

/// The server's rules for one pushed operation, as a pure function of the operation, the row it
/// changes, the policy's facts, the session and the clock.
///
/// Deciding happens in two steps because the second needs the stored row: `check` looks at the
/// log entry with the same id (if any), the operation's shape, its replica and its clock;
/// `decide` authorises the checked operation against the row as it is and as it would become.
/// No database is involved: a store loads what the steps ask for, and records what they accept.
public struct PushDecider: Sendable {
    /// The tables operations may change.
    public var schema: Schema
    /// Who may write what.
    public var policy: AccessPolicy
    /// How far ahead of the server's clock an operation may be stamped, in milliseconds.
    public var maxClockSkewMillis: Int64

    /// Creates a decider.
    public init(schema: Schema, policy: AccessPolicy, maxClockSkewMillis: Int64) {
        self.schema = schema
        self.policy = policy
        self.maxClockSkewMillis = maxClockSkewMillis
    }

    /// The outcome of `check`: a decision already, or an operation to authorise against its row.
    public enum CheckOutcome: Sendable, Equatable {
        /// Decided without the row.
        case decided(PushDecision)
        /// Well formed, from the session's replica and in time: the row decides the rest.
        case needsRow(SyncOperation, TableSchema)
    }

    /// The checks that need no stored row.
    ///
    /// - Parameters:
    ///   - logged: the log's entry with the operation's id, if any.
    ///   - now: the server's wall clock, in milliseconds.
    public func check(_ operation: SyncOperation, logged: LoggedOperation?, session: Session, now: Int64)
        -> CheckOutcome
    {
        if let logged {
            // A re-sent operation gets its first verdict again, but only for its own replica.
            guard logged.replica == session.replica else {
                return .decided(
                    .reject(
                        Rejection(.forgedReplica, "operation id \(operation.id) belongs to another replica"),
                        withCurrentRow: false))
            }
            // The same id with other content is not a re-send: accepting it would drop the change
            // without a word.
            guard isResend(operation, of: logged.operation) else {
                return .decided(
                    .reject(
                        Rejection(
                            .operationReused,
                            "operation id \(operation.id) was accepted before with other content; a new change needs a new id"
                        ), withCurrentRow: false))
            }
            return .decided(.alreadyAccepted(seq: logged.seq))
        }
        let checked: SyncOperation
        switch OperationRules.validate(operation, schema: schema) {
        case .failure(let rejection): return .decided(reject(rejection, operation))
        case .success(let operation): checked = operation
        }
        guard checked.replica == session.replica else {
            return .decided(
                reject(
                    Rejection(
                        .forgedReplica,
                        "operation \(operation.id) names replica \(operation.replica), but this session belongs to replica \(session.replica)"
                    ), operation))
        }
        if checked.hlc.physical > now + maxClockSkewMillis {
            return .decided(
                reject(
                    Rejection(
                        .clockSkew,
                        "operation \(operation.id) is stamped \(checked.hlc.physical - now) ms ahead of the server's clock (the limit is \(maxClockSkewMillis) ms); correct the device clock or re-stamp from server_time"
                    ), operation))
        }
        guard let table = schema.table(checked.table) else {
            return .decided(reject(Rejection(.unknownTable, "there is no table '\(checked.table)'"), operation))
        }
        return .needsRow(checked, table)
    }

    /// Authorises a checked operation against the row it changes.
    ///
    /// - Parameters:
    ///   - existing: the row's merged state, or nil when the server never saw it.
    ///   - visible: whether the session may read the existing row now.
    ///   - facts: the other rows the policy needs, as they are now.
    public func decide(
        _ checked: SyncOperation, table: TableSchema, existing: RowState?, visible: Bool, session: Session,
        facts: some PolicyFacts
    ) throws -> PushDecision {
        var operation = checked
        // A row the session may not read is refused before any check that would describe it.
        if existing != nil && !visible {
            return reject(
                Rejection(
                    .forbidden,
                    "\(session.org) (\(session.orgKind.rawValue)) may not change \(table.name) \(operation.row): it is not among the rows it may see"
                ), operation)
        }
        if existing == nil {
            operation = OperationRules.withDefaults(operation, table: table)
        }
        if let rejection = OperationRules.checkAgainstRow(operation, existing: existing, table: table) {
            return reject(rejection, operation)
        }
        if existing == nil && operation.kind == .upsert {
            operation.fields["owner_org"] = .text(session.org)
            operation.fields["created_by"] = .text(session.user)
        }
        operation.author = session.user
        operation.org = session.org
        // Authorised against the whole row, as it is and as the operation would leave it.
        let kind: WriteKind = existing == nil ? .create : operation.kind == .delete ? .delete : .update
        let after = operation.kind == .delete ? nil : Merge.apply(operation, to: existing)
        let decision = try policy.decideWrite(
            kind, table: table.name, before: existing?.values, after: after?.values, viewer: session.viewer,
            facts: facts)
        guard decision.allowed else {
            return reject(Rejection(.forbidden, decision.reason + " (policy line \(decision.line))"), operation)
        }
        if let rejection = SealedText.clearTextRejection(operation, table: table, existing: existing) {
            return reject(rejection, operation)
        }
        return .accept(operation)
    }

    /// Whether `pushed` is the operation the log holds as `logged`, sent again.
    ///
    /// The log's copy may hold more fields than were pushed, but only those the server fills in:
    /// server-managed stamps and the defaults of columns a creating operation left out.
    func isResend(_ pushed: SyncOperation, of logged: SyncOperation) -> Bool {
        Self.isResend(pushed, of: logged, schema: schema)
    }

    /// Whether `pushed` is the operation the log holds as `logged` under `schema`: the same
    /// change, the log's copy holding at most the fields the server fills in besides.
    ///
    /// The server asks it of a re-sent id; a replica asks it of the operation an inclusion
    /// proof names (`followup audit verify`).
    public static func isResend(_ pushed: SyncOperation, of logged: SyncOperation, schema: Schema) -> Bool {
        guard pushed.table == logged.table, pushed.row == logged.row, pushed.kind == logged.kind,
            pushed.hlc == logged.hlc, let table = schema.table(pushed.table),
            case .success(let normalised) = OperationRules.validate(pushed, schema: schema)
        else { return false }
        // The log keeps JSON, where a whole real reads back as an integer: normalise both sides.
        let loggedFields = table.normalised(logged.fields)
        for (name, value) in normalised.fields where loggedFields[name] != value {
            return false
        }
        return loggedFields.keys.allSatisfy { name in
            guard normalised.fields[name] == nil else { return true }
            guard let column = table.column(name) else { return false }
            return column.isServerManaged || column.defaultValue != nil
        }
    }

    /// A refusal; the replica restores the row from the verdict, so it never keeps a refused
    /// value, except where there is no row to name (unknown table, malformed id) or the
    /// operation will come back re-stamped (clock skew).
    private func reject(_ rejection: Rejection, _ operation: SyncOperation) -> PushDecision {
        let namesRow =
            rejection.code != .clockSkew && schema.table(operation.table) != nil
            && OperationRules.isTimeOrderedID(operation.row)
        return .reject(rejection, withCurrentRow: namesRow)
    }
}
