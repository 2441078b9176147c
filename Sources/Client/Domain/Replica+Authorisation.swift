import GRDB
import RowStorage
import Shared

/// The access policy's facts as this replica holds them, with the rows of an edit being
/// checked laid over them (an action and its indicator are judged together).
struct ReplicaPolicyFacts: PolicyFacts {
    let db: Database
    let rows: RowStore
    /// The replica's organisation: the owner of the rows it created and has not synced yet.
    let own: FieldValue
    /// Rows of the edit being checked, by "table/id": their values once written.
    var pending: [String: [String: FieldValue]] = [:]

    func row(_ table: String, id: String) throws -> [String: FieldValue]? {
        if let values = pending[table + "/" + id] { return values }
        guard let schemaTable = rows.schema.table(table) else { return nil }
        // An attachment is judged on its parent, which may be a row created here, not synced yet.
        return try rows.values(schemaTable, id: id, db).map { values in
            (values["owner_org"] ?? .null) == .null ? values.merging(["owner_org": own]) { $1 } : values
        }
    }

    func assignedOrganisations(recommendation id: String) throws -> Set<String> {
        try rows.assignedOrganisations(recommendation: id, db)
    }

    func assignedOrganisations(cluster id: String) throws -> Set<String> {
        try rows.assignedOrganisations(cluster: id, db)
    }
}

extension Replica {
    /// Refuses at once, with `forbidden`, edits the access policy forbids on the facts this
    /// replica holds, so a clerk hears it now rather than after the next sync; the server still
    /// decides in the end (its facts may be newer).
    ///
    /// A row this replica created and has not synced yet carries no `owner_org`: it is the
    /// replica's organisation's, as the server will stamp it.
    func authorise(_ edits: [RowEdit]) throws {
        try read { db in
            let settings = try Self.settings(db)
            guard let role = OrganisationKind(rawValue: settings.orgKind) else { return }
            let viewer = Viewer(org: settings.org, role: role)
            let own: FieldValue = .text(settings.org)
            var facts = ReplicaPolicyFacts(db: db, rows: rows, own: own)
            for edit in edits {
                guard let table = schema.table(edit.table) else { continue }
                let stored = try edit.id.flatMap { try rows.load(table, id: $0, db) }
                let existing = stored.flatMap { $0.isDeleted ? nil : $0.values.filter { $0.value != .null } }
                var before = existing
                if before != nil && before?["owner_org"] == nil { before?["owner_org"] = own }
                var after = (before ?? [:]).merging(edit.fields) { $1 }.filter { $0.value != .null }
                if before == nil {
                    for column in table.columns where after[column.name] == nil {
                        after[column.name] = column.defaultValue
                    }
                    after["owner_org"] = own
                }
                let decision = try AccessPolicy.standard.decideWrite(
                    before == nil ? .create : .update, table: table.name, before: before, after: after,
                    viewer: viewer, facts: facts)
                guard decision.allowed else {
                    throw ReplicaError(.forbidden, decision.reason + "; nothing was recorded")
                }
                if let id = edit.id { facts.pending[table.name + "/" + id] = after }
            }
        }
    }

    /// Records `edits` in one transaction after `authorise(_:)` found them allowed.
    ///
    /// - Returns: the row ids, in order.
    @discardableResult
    func putAuthorised(_ edits: [RowEdit]) throws -> [String] {
        // Ids are given up front, so that later edits of the batch can name earlier rows.
        let named = edits.map { edit in
            RowEdit(table: edit.table, id: edit.id ?? UUIDv7.make(), fields: edit.fields)
        }
        try authorise(named)
        return try put(named)
    }

    /// Records one row's edit after `authorise(_:)` found it allowed; returns the row id.
    @discardableResult
    func putAuthorised(_ table: String, id: String? = nil, fields: [String: FieldValue]) throws -> String {
        try putAuthorised([RowEdit(table: table, id: id, fields: fields)])[0]
    }
}
