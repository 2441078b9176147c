import Client
import Foundation
import Hummingbird
import Logging
import Shared

extension DeskPages {
    /// The keys page: each organisation's current key for sealed texts with its fingerprint
    /// (§19) and whether it is trusted, a changed key flagged with the form that trusts it once
    /// confirmed out of band, the server's audit key pinned at init, and the audit log's check.
    func keys(
        _ request: Request, context: DeskRequestContext, posted: FormValues? = nil, error: String? = nil
    ) throws -> HTML {
        let catalog = renderer.catalog(context.language)
        let keys = try replica.organisationKeys()
        let names = organisationNames()
        let own = try replica.settings().org
        var errors: [[String: String]] = []
        let rows: [[String: Any]] = keys.enumerated().map { index, key in
            let name = TerminalText.escaped(names[key.org] ?? key.org)
            var view: [String: Any] = [
                "name": name, "kind": key.kind.map { catalog["kind_" + $0] } ?? "",
                "fingerprint": OrganisationPublicKey.display(key.fingerprint),
                "trust": catalog["keys_trust_" + key.trust.rawValue], "trustCode": key.trust.rawValue,
            ]
            if key.org == own { view["own"] = catalog["keys_own"] }
            if key.privateKeyHere { view["held"] = catalog["keys_private_here"] }
            if key.recipient == .unlisted { view["unlisted"] = catalog["keys_unlisted"] }
            if key.recipient == .unconfirmed {
                view["trust"] = catalog["keys_trust_unconfirmed"]
                view["trustCode"] = "unconfirmed"
            }
            if Self.needsConfirmation(key) {
                let id = "f-fingerprint-\(index)"
                let unconfirmed = key.trust != .changed
                var form: [String: Any] = [
                    "org": key.org, "id": id, "hintID": id + "-hint",
                    "title": catalog[unconfirmed ? "keys_unconfirmed_title" : "keys_changed_title"],
                    "label": catalog.text("keys_confirm_label", ["org": name]),
                    "hint": catalog.text("keys_confirm_hint", ["org": name]),
                    "warning": catalog.text(
                        unconfirmed ? "keys_unconfirmed_warning" : "keys_changed_warning", ["org": name]),
                ]
                if !unconfirmed { form["pinned"] = OrganisationPublicKey.display(key.pinned ?? "") }
                if posted?["org"] == key.org, let error {
                    form["error"] = error
                    form["errorID"] = id + "-error"
                    form["value"] = posted?["fingerprint"] ?? ""
                    errors.append(["href": "#" + id, "text": error])
                }
                view["changed"] = form
            }
            return view
        }
        var values: [String: Any] = [
            "rows": rows, "changed": rows.compactMap { $0["changed"] }, "audit": auditSummary(catalog),
            "errors": errors,
        ]
        if let key = try replica.pinnedServerKey() {
            values["serverKey"] = SignedTreeHead.fingerprint(ofKey: key)
        }
        let title = catalog["keys_title"]
        return try page(
            "keys", title: errors.isEmpty ? title : catalog.text("error_prefix", ["title": title]), request: request,
            context: context, values: values, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// Trusts an organisation's changed key (`Replica.trustKey`, what `followup keys trust`
    /// runs) when the fingerprint typed is the current key's; otherwise shows the keys page
    /// with the error beside the field.
    func trustKey(_ request: Request, context: DeskRequestContext) throws -> Response {
        let catalog = renderer.catalog(context.language)
        guard let org = context.form["org"] else { throw DeskError(.badForm) }
        guard try replica.organisationKeys().contains(where: { $0.org == org && Self.needsConfirmation($0) }) else {
            throw DeskError(.notFound)
        }
        let error: String
        if let fingerprint = context.form["fingerprint"] {
            do {
                try replica.trustKey(org: org, fingerprint: fingerprint)
                context.logger.info("desk.key.trusted", metadata: ["desk.key.org": "\(org)"])
                return .redirect(to: "/keys?notice=notice_key_trusted", type: .normal)
            } catch let refusal as ReplicaError where refusal.code == .fingerprintMismatch {
                error = catalog["keys_error_mismatch"]
            }
        } else {
            error = catalog["keys_error_required"]
        }
        return try keys(request, context: context, posted: context.form, error: error)
            .response(from: request, context: context)
    }

    /// Checks the server's audit log as this replica saw it, then shows the keys page.
    func verifyAudit(_ request: Request, context: DeskRequestContext) async throws -> Response {
        await audit.verify(replica)
        return .redirect(to: "/keys#audit", type: .normal)
    }

    /// Whether the user must confirm `key` out of band before anything is sealed to it: its
    /// organisation's key changed, or the organisation is newly listed as an NHRI (protocol §19).
    static func needsConfirmation(_ key: OrganisationKeyInfo) -> Bool {
        key.trust == .changed || key.recipient == .unconfirmed
    }

    /// The warning the home page shows when an organisation's key changed, or an organisation
    /// newly listed as an NHRI waits for the user's confirmation, if one does.
    func changedKeyWarning(_ catalog: Catalog) -> [String: Any]? {
        let keys = (try? replica.organisationKeys()) ?? []
        let known = organisationNames()
        func names(_ keys: [OrganisationKeyInfo]) -> String {
            keys.map { TerminalText.escaped(known[$0.org] ?? $0.org) }.joined(separator: ", ")
        }
        let changed = keys.filter { $0.trust == .changed }
        let unconfirmed = keys.filter { $0.trust != .changed && $0.recipient == .unconfirmed }
        guard !changed.isEmpty || !unconfirmed.isEmpty else { return nil }
        var lines: [String] = []
        if !changed.isEmpty { lines.append(catalog.text("keys_changed_home", ["orgs": names(changed)])) }
        if !unconfirmed.isEmpty { lines.append(catalog.text("keys_unconfirmed_home", ["orgs": names(unconfirmed)])) }
        return [
            "title": catalog[changed.isEmpty ? "keys_unconfirmed_title" : "keys_changed_title"],
            "text": lines.joined(separator: " "),
        ]
    }
}
