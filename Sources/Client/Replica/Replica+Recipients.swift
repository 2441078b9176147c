import Foundation
import GRDB
import Shared

/// Where an organisation listed as an NHRI, or accepted as one, stands as a recipient of sealed texts.
public enum RecipientTrust: String, Sendable, Codable, Equatable {
    /// Accepted on this replica (trust on first use, `keys trust`, or the replica's own NHRI): sealed to.
    case trusted
    /// Listed as an NHRI (an `institution` row of kind `nhri` names it) but not accepted here:
    /// nothing is sealed to it until the user trusts it (`followup keys trust ORG FINGERPRINT`,
    /// after confirming the fingerprint out of band).
    case unconfirmed
    /// Accepted here but no longer listed as an NHRI (its institution row was deleted, re-pointed
    /// or given another kind): still sealed to, so the real NHRI is never dropped silently, until
    /// the user runs `followup keys forget ORG`.
    case unlisted
}

/// The NHRIs a confidential text goes to, as this replica decides them (protocol §19, "Pinning").
struct NHRIRecipients: Equatable {
    /// The organisations sealed to, besides the author's own: every accepted NHRI, listed or not.
    var trusted: [String]
    /// Organisations listed as an NHRI that the user has not accepted: nothing is sealed to them.
    var unconfirmed: [String]
    /// Accepted NHRIs no longer listed as one: still sealed to, and the user is told.
    var unlisted: [String]

    /// Where `org` stands, when it is an NHRI recipient or candidate.
    func trust(of org: String) -> RecipientTrust? {
        if unlisted.contains(org) { return .unlisted }
        if trusted.contains(org) { return .trusted }
        if unconfirmed.contains(org) { return .unconfirmed }
        return nil
    }
}

extension Replica {
    /// The NHRI recipients of sealed texts: the organisations listed as NHRIs (institution rows of
    /// kind `nhri`) against those this replica accepted (`trusted_recipient`).
    ///
    /// Trust on first use: while the replica has never accepted an NHRI and is no NHRI's own, the
    /// only organisation listed as an NHRI is accepted (recorded when `adopting`; assumed
    /// otherwise). Once one was accepted, any other organisation listed as an NHRI (a second NHRI
    /// the operator added, an institution re-pointed to another organisation, a kind changed to
    /// `nhri`) is unconfirmed until the user trusts it; an accepted one that stops being listed
    /// stays a recipient (unlisted) until the user forgets it.
    static func nhriRecipients(_ db: Database, adopting: Bool) throws -> NHRIRecipients {
        let settings = try settings(db)
        // The replica's own organisation always gets its texts; it is never an NHRI to accept.
        var listed = Set(
            try String.fetchAll(
                db,
                sql:
                    "SELECT DISTINCT org_id FROM institution WHERE _deleted IS NULL AND kind = 'nhri' AND org_id IS NOT NULL"
            ))
        listed.remove(settings.org)
        let accepted = Set(
            try String.fetchAll(db, sql: "SELECT org FROM trusted_recipient WHERE forgotten = 0"))
        let everAccepted = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM trusted_recipient)") ?? false
        let ownNHRI = settings.orgKind == OrganisationKind.nhri.rawValue
        if !ownNHRI, !everAccepted, listed.count == 1, let first = listed.first {
            if adopting { try acceptRecipient(first, db) }
            return NHRIRecipients(trusted: [first], unconfirmed: [], unlisted: [])
        }
        return NHRIRecipients(
            trusted: accepted.union(ownNHRI ? [settings.org] : []).sorted(),
            unconfirmed: listed.subtracting(accepted).sorted(), unlisted: accepted.subtracting(listed).sorted())
    }

    /// Records `org` as an accepted NHRI recipient (again, when it was forgotten).
    static func acceptRecipient(_ org: String, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO trusted_recipient (org, forgotten) VALUES (?, 0)
                ON CONFLICT(org) DO UPDATE SET forgotten = 0
                """,
            arguments: [org])
    }

    /// Stops sealing to `org`, an NHRI this replica accepted, after the user confirmed it is no
    /// longer one (`followup keys forget ORG`).
    ///
    /// The replica keeps a record that it accepted an NHRI, so forgetting never reopens trust on
    /// first use: the organisations still listed stay unconfirmed until trusted.
    public func forgetRecipient(org: String) throws {
        try writer.write { db in
            let settings = try Self.settings(db)
            guard org != settings.org else {
                throw ReplicaError(
                    .forbidden, "\(org) is this replica's own organisation; it always receives its texts")
            }
            try db.execute(
                sql: "UPDATE trusted_recipient SET forgotten = 1 WHERE org = ? AND forgotten = 0", arguments: [org])
            guard db.changesCount > 0 else {
                throw ReplicaError(.rowNotFound, "\(org) is not an NHRI this replica seals to")
            }
        }
    }

    /// The fingerprints of the organisation's published keys whose private key is not on this
    /// replica: texts sealed to them open only once the organisation's key file is imported
    /// (a new device, or two devices that published a key at the same time).
    static func ownKeysElsewhere(_ db: Database) throws -> [String] {
        let settings = try settings(db)
        let held = Set(try privateKeys(db).map(\.fingerprint))
        var missing: [String] = []
        for text in try String.fetchAll(
            db,
            sql:
                "SELECT public_key FROM organisation_key WHERE _deleted IS NULL AND (owner_org = ? OR owner_org IS NULL) ORDER BY id",
            arguments: [settings.org])
        {
            guard let key = OrganisationPublicKey(base64: text), !held.contains(key.fingerprint) else { continue }
            missing.append(key.fingerprint)
        }
        return missing
    }
}
