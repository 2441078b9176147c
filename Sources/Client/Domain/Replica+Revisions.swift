import GRDB
import RowStorage
import Shared

/// What an edit of a row became.
public enum EditOutcome: Sendable, Equatable {
    /// The row itself changed.
    case changed(String)
    /// The row is published government work that only the secretariat changes: the edit went
    /// into this organisation's revision of it (the id given), which the public does not see
    /// until the secretariat publishes it.
    case revision(String)
}

/// A proposed revision of a published row, as the row's page lists it.
public struct Revision: Sendable, Equatable {
    /// The revision's id (a row of the same table naming `revises` in `revision_of`).
    public var id: String
    /// The table of both rows.
    public var table: String
    /// The published row it revises.
    public var revises: String
    /// `draft` or `submitted`.
    public var state: String
    /// The organisation proposing it.
    public var owner: String?
    /// The columns whose proposed value differs from the published one, in schema order.
    public var changed: [String]
}

extension Replica {
    /// Changes fields of row `id`; published government work this organisation may not change
    /// itself gets the edit in its revision of the row instead (created on the first edit).
    ///
    /// The access policy lets only the secretariat change a published action, progress update
    /// or government reply, so that the public reads only what the secretariat published. An
    /// assigned ministry's edit becomes a revision: a row of the same table naming the
    /// published row in `revision_of`, read as the ministry's other drafts are, which the
    /// ministry submits and the secretariat publishes (`publishRevision(_:)`).
    public func edit(_ table: String, id: String, fields: [String: FieldValue]) throws -> EditOutcome {
        guard try needsRevision(table, id: id), let row = try row(table, id: id) else {
            return .changed(try putAuthorised(table, id: id, fields: fields))
        }
        let settings = try settings()
        // One revision per organisation: its later edits go into the same one. A revision not
        // synced yet has no owner: it is this replica's.
        if let revision = try revisions(of: table, id: id).first(where: { ($0.owner ?? settings.org) == settings.org })
        {
            return .revision(try putAuthorised(table, id: revision.id, fields: fields))
        }
        let schemaTable = try self.table(table)
        var copied: [String: FieldValue] = [:]
        for column in schemaTable.userColumns where column.name != "revision_of" {
            if let value = row[column.name] { copied[column.name] = value }
        }
        copied.merge(fields) { $1 }
        copied["revision_of"] = .text(id)
        return .revision(try putAuthorised(table, fields: copied))
    }

    /// Whether an edit of row `id` by this organisation goes into a revision: the access policy
    /// keeps the organisation from changing the row in place (published government work, for
    /// all but the secretariat), and the row is not itself a revision.
    public func needsRevision(_ table: String, id: String) throws -> Bool {
        guard Schema.revisedTables.contains(table), let schemaTable = schema.table(table) else { return false }
        return try read { db in
            let settings = try Self.settings(db)
            guard let role = OrganisationKind(rawValue: settings.orgKind),
                var values = try rows.values(schemaTable, id: id, db),
                AccessPolicy.text(values["revision_of"]) == nil
            else { return false }
            let own: FieldValue = .text(settings.org)
            if (values["owner_org"] ?? .null) == .null { values["owner_org"] = own }
            return try AccessPolicy.standard.changesThroughRevision(
                table: table, values: values, viewer: Viewer(org: settings.org, role: role),
                facts: ReplicaPolicyFacts(db: db, rows: rows, own: own))
        }
    }

    /// The live revisions proposed for row `id` of `table`, oldest first.
    public func revisions(of table: String, id: String) throws -> [Revision] {
        guard Schema.revisedTables.contains(table) else { return [] }
        let schemaTable = try self.table(table)
        return try read { db in
            guard let original = try rows.values(schemaTable, id: id, db) else { return [] }
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM \(table) WHERE revision_of = ? AND _deleted IS NULL ORDER BY id",
                arguments: [id])
            return try ids.compactMap { revisionID in
                guard let values = try rows.values(schemaTable, id: revisionID, db) else { return nil }
                let changed = schemaTable.userColumns.map(\.name).filter {
                    $0 != "revision_of" && values[$0] != original[$0]
                }
                return Revision(
                    id: revisionID, table: table, revises: id, state: AccessPolicy.text(values["state"]) ?? "draft",
                    owner: AccessPolicy.text(values["owner_org"]), changed: changed)
            }
        }
    }

    /// Publishes a revision onto the row it revises and deletes the revision (the secretariat).
    ///
    /// A field is copied only when the revision wrote it after the published row's value was
    /// written, so the secretariat's own later corrections of the published row stand.
    ///
    /// - Returns: the id of the published row, now holding the revision's values.
    @discardableResult
    public func publishRevision(_ id: String) throws -> String {
        guard let table = try tableOf(id, among: Schema.revisedTables.sorted()) else {
            throw ReplicaError(.rowNotFound, "there is no revision \(id) on this replica")
        }
        let schemaTable = try self.table(table)
        let (original, fields) = try read { db -> (String, [String: FieldValue]) in
            guard let revision = try rows.load(schemaTable, id: id, db),
                let original = AccessPolicy.text(revision.values["revision_of"])
            else {
                throw ReplicaError(.invalidValue, "\(table) \(id) is not a revision of a published row")
            }
            guard let published = try rows.load(schemaTable, id: original, db), !published.isDeleted else {
                throw ReplicaError(.rowNotFound, "the \(table) that \(id) revises is not on this replica")
            }
            var fields: [String: FieldValue] = [:]
            for column in schemaTable.userColumns where column.name != "revision_of" {
                guard let version = revision.versions[column.name] else { continue }
                if let current = published.versions[column.name], current >= version { continue }
                let value = revision.values[column.name] ?? .null
                if value != (published.values[column.name] ?? .null) { fields[column.name] = value }
            }
            return (original, fields)
        }
        if !fields.isEmpty { try putAuthorised(table, id: original, fields: fields) }
        try delete(table, id: id)
        return original
    }
}
