/// The merged state of one row: each field's winning value and version, and its tombstone.
public struct RowState: Sendable, Equatable {
    /// Field values by column name.
    public var values: [String: FieldValue]
    /// The version that wrote each field's current value.
    public var versions: [String: FieldVersion]
    /// The deleting operation's version, once the row is deleted; a deleted row stays deleted.
    public var tombstone: FieldVersion?

    /// Creates a row state.
    public init(
        values: [String: FieldValue] = [:], versions: [String: FieldVersion] = [:],
        tombstone: FieldVersion? = nil
    ) {
        self.values = values
        self.versions = versions
        self.tombstone = tombstone
    }

    /// Whether a delete has been merged into the row.
    public var isDeleted: Bool { tombstone != nil }
}

/// The merge rule: per-field last-writer-wins with final deletes, pure and without I/O.
///
/// For every set of operations, applying them in any order, in any batching and with any
/// duplicates yields the same `RowState` (see `protocol/INVARIANTS.md`):
/// - an upsert sets each of its fields whose current version is older than the operation's;
/// - a delete empties the row and leaves a tombstone holding the largest delete version;
/// - nothing changes a deleted row again: a later update does not resurrect it.
public enum Merge {
    /// Merges `operation` into `row` (nil when the row was never seen) and returns the new state.
    public static func apply(_ operation: SyncOperation, to row: RowState?) -> RowState {
        var state = row ?? RowState()
        let version = operation.version
        switch operation.kind {
        case .delete:
            state.values = [:]
            state.versions = [:]
            if let tombstone = state.tombstone {
                state.tombstone = max(tombstone, version)
            } else {
                state.tombstone = version
            }
        case .upsert:
            guard state.tombstone == nil else { return state }
            for (column, value) in operation.fields {
                if let current = state.versions[column], current >= version { continue }
                state.values[column] = value
                state.versions[column] = version
            }
        }
        return state
    }
}

extension Merge {
    /// Merges a row's whole state, as a pull sends it, into the local `row`: the same rule,
    /// field by field, so a local field written later (a pending edit) keeps its value.
    ///
    /// Absorbing the state the server computed from a set of operations gives the same row as
    /// applying those operations one by one.
    public static func absorb(_ incoming: RowState, into row: RowState?) -> RowState {
        var state = row ?? RowState()
        if let tombstone = incoming.tombstone {
            state.values = [:]
            state.versions = [:]
            state.tombstone = max(state.tombstone ?? tombstone, tombstone)
            return state
        }
        guard state.tombstone == nil else { return state }
        for (column, version) in incoming.versions {
            if let current = state.versions[column], current >= version { continue }
            state.values[column] = incoming.values[column] ?? .null
            state.versions[column] = version
        }
        return state
    }
}
