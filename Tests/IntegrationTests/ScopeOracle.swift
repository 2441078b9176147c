import Foundation
import GRDB
import RowStorage
import Shared
import TestSupport

@testable import Server

/// The organisations of the visibility tests: one per role, and two ministries and two NGOs.
enum Cast {
    static let members: [(org: String, kind: OrganisationKind, user: String)] = [
        ("nmirf", .secretariat, "sara"), ("moj", .ministry, "malik"), ("mof", .ministry, "mona"),
        ("parl", .parliament, "pia"), ("nhri", .nhri, "nadia"), ("ngo-a", .ngo, "omar"), ("ngo-b", .ngo, "olga"),
        ("court", .judiciary, "jude"), ("unct", .unCountryTeam, "uma"),
    ]

    /// The members as the live server creates them.
    static var liveMembers: [LiveServer.Member] {
        members.map { LiveServer.Member(org: $0.org, kind: $0.kind, user: $0.user) }
    }

    static var kinds: [String: OrganisationKind] {
        Dictionary(uniqueKeysWithValues: members.map { ($0.org, $0.kind) })
    }
}

/// The server's live rows: table -> row id -> values (server-managed columns included).
struct ServerSnapshot: Sendable {
    var rows: [String: [String: [String: FieldValue]]]

    /// Reads every live row of the server's merged state.
    static func of(_ storage: SQLiteServerStorage) async throws -> ServerSnapshot {
        try await storage.writer.read { db in
            var rows: [String: [String: [String: FieldValue]]] = [:]
            for table in Schema.current.tables {
                try storage.rows.forEachRow(table, db) { id, values in rows[table.name, default: [:]][id] = values }
            }
            return ServerSnapshot(rows: rows)
        }
    }
}

/// Who may read each row, computed from the domain notes' table directly and independently of
/// `AccessPolicy`: the property test's yardstick.
struct ScopeOracle {
    let snapshot: ServerSnapshot
    let kinds: [String: OrganisationKind]

    private func text(_ table: String, _ id: String?, _ column: String) -> String? {
        guard let id, case .text(let value)? = snapshot.rows[table]?[id]?[column] else { return nil }
        return value
    }

    private func organisations(_ kinds: OrganisationKind...) -> Set<String> {
        Set(self.kinds.filter { kinds.contains($0.value) }.keys)
    }

    /// Organisations whose institution is assigned to the recommendation, directly or by cluster.
    private func assigned(_ recommendation: String?) -> Set<String> {
        guard let recommendation else { return [] }
        var clusters: Set<String> = []
        for member in (snapshot.rows["cluster_member"] ?? [:]).values
        where member["recommendation_id"] == .text(recommendation) {
            if case .text(let cluster)? = member["cluster_id"], snapshot.rows["cluster"]?[cluster] != nil {
                clusters.insert(cluster)
            }
        }
        var result: Set<String> = []
        for assignment in (snapshot.rows["assignment"] ?? [:]).values {
            var applies = assignment["recommendation_id"] == .text(recommendation)
            if case .text(let cluster)? = assignment["cluster_id"], clusters.contains(cluster) { applies = true }
            guard applies, case .text(let institution)? = assignment["institution_id"],
                let org = text("institution", institution, "org_id")
            else { continue }
            result.insert(org)
        }
        return result
    }

    /// Organisations whose institution is assigned to the live cluster itself.
    private func assignedToCluster(_ cluster: String?) -> Set<String> {
        guard let cluster, snapshot.rows["cluster"]?[cluster] != nil else { return [] }
        var result: Set<String> = []
        for assignment in (snapshot.rows["assignment"] ?? [:]).values
        where assignment["cluster_id"] == .text(cluster) {
            guard case .text(let institution)? = assignment["institution_id"],
                let org = text("institution", institution, "org_id")
            else { continue }
            result.insert(org)
        }
        return result
    }

    /// Organisations assigned to an action's work: its recommendation's, else its cluster's.
    private func assignedToAction(_ action: String?) -> Set<String> {
        guard let action, snapshot.rows["action"]?[action] != nil else { return [] }
        if let recommendation = text("action", action, "recommendation_id") { return assigned(recommendation) }
        return assignedToCluster(text("action", action, "cluster_id"))
    }

    /// The organisations that may read live row `id` of `table` (empty when it is not live).
    func readers(_ table: String, _ id: String) -> Set<String> {
        guard let row = snapshot.rows[table]?[id] else { return [] }
        func value(_ column: String) -> String? {
            if case .text(let text)? = row[column] { return text }
            return nil
        }
        let everyone = Set(kinds.keys)
        let owner: Set<String> = value("owner_org").map { [$0] } ?? []
        let state = value("state") ?? "draft"
        switch table {
        case "mechanism", "recommendation", "cluster", "cluster_member", "institution", "assignment":
            return everyone
        case "action", "progress_update":
            let workers = assignedToAction(table == "action" ? id : value("action_id"))
            switch state {
            case "published": return everyone
            case "submitted":
                return owner.union(workers).union(
                    organisations(.secretariat, .ministry, .judiciary, .parliament, .unCountryTeam, .nhri))
            default: return owner.union(workers).union(organisations(.secretariat))
            }
        case "indicator":
            let workers =
                value("action_id") != nil ? assignedToAction(value("action_id")) : assigned(value("recommendation_id"))
            return owner.union(workers).union(
                organisations(.secretariat, .ministry, .judiciary, .parliament, .unCountryTeam, .nhri))
        case "bill", "organisation_key":
            return everyone
        case "assessment_reply":
            switch state {
            case "published": return everyone
            case "submitted":
                return owner.union(
                    organisations(.secretariat, .ministry, .judiciary, .parliament, .unCountryTeam, .nhri))
            default: return owner.union(organisations(.secretariat))
            }
        case "assessment":
            return state == "published" ? everyone : owner
        case "submission":
            return row["confidential"] == .bool(true)
                ? owner.union(organisations(.nhri)) : everyone
        case "oversight_request":
            switch state {
            case "published": return everyone
            case "submitted":
                let addressed = text("institution", value("institution_id"), "org_id").map { Set([$0]) } ?? []
                return owner.union(addressed).union(organisations(.secretariat, .nhri))
            default: return owner
            }
        case "oversight_response":
            switch state {
            case "published": return everyone
            case "submitted":
                let committee =
                    text("oversight_request", value("oversight_request_id"), "owner_org").map { Set([$0]) } ?? []
                return owner.union(committee).union(organisations(.secretariat, .nhri))
            default: return owner
            }
        case "attachment":
            if let parentTable = value("parent_table"), let parent = value("parent_id"), parentTable != "attachment",
                snapshot.rows[parentTable]?[parent] != nil
            {
                return readers(parentTable, parent)
            }
            return owner
        default:
            return []
        }
    }

    /// Whether the public (a viewer with no organisation, the portal) may read live row `id` of
    /// `table`: public records and bills, and published work, assessments, replies, oversight
    /// and non-confidential submissions; never an indicator.
    func isPublic(_ table: String, _ id: String) -> Bool {
        guard let row = snapshot.rows[table]?[id] else { return false }
        let published = row["state"] == .text("published")
        switch table {
        case "mechanism", "recommendation", "cluster", "cluster_member", "institution", "assignment", "bill":
            return true
        case "action", "progress_update", "assessment", "assessment_reply", "oversight_request", "oversight_response":
            return published
        case "submission":
            return published && row["confidential"] != .bool(true)
        case "attachment":
            if case .text(let parentTable)? = row["parent_table"], case .text(let parent)? = row["parent_id"],
                parentTable != "attachment", snapshot.rows[parentTable]?[parent] != nil
            {
                return isPublic(parentTable, parent)
            }
            return false
        default:
            return false
        }
    }

    /// The ids of the live rows of `table` that `org` may read.
    func visible(_ table: String, to org: String) -> Set<String> {
        Set((snapshot.rows[table] ?? [:]).keys.filter { readers(table, $0).contains(org) })
    }
}
