import Crypto
import Foundation
import GRDB
import RowStorage
import Shared

/// How far this replica trusts an organisation's current public key.
public enum KeyTrust: String, Sendable, Codable, Equatable {
    /// The key pinned for the organisation: sealed texts go to it.
    case trusted
    /// Another key than the one pinned: nothing is sealed to it until the user trusts it
    /// (`followup keys trust ORG FINGERPRINT`, after confirming the fingerprint out of band).
    case changed
    /// Seen for the first time: pinned at the next seal or sync.
    case new
}

/// An organisation's current public key as this replica knows it (`followup keys`).
public struct OrganisationKeyInfo: Sendable, Codable, Equatable {
    /// The organisation.
    public var org: String
    /// Its kind, when the replica holds its institution.
    public var kind: String?
    /// The fingerprint of its current key (`OrganisationPublicKey.fingerprint`).
    public var fingerprint: String
    /// The fingerprint pinned for it, when one is.
    public var pinned: String?
    /// Whether the current key is the pinned one.
    public var trust: KeyTrust
    /// Whether this replica holds the private key (only the organisation's own devices can).
    public var privateKeyHere: Bool
    /// Where it stands as a recipient of sealed texts, when it is (or is listed as) an NHRI.
    public var recipient: RecipientTrust? = nil
}

/// A private key as the replica keeps it (local only, never synced).
struct StoredPrivateKey {
    var fingerprint: String
    var key: Curve25519.KeyAgreement.PrivateKey
}

extension Replica {
    /// The organisations' current public keys this replica holds, by organisation.
    ///
    /// A key row made here and not synced yet counts as the replica's organisation's. An organisation's
    /// current key is its live key row with the greatest id (the latest made); a row whose key
    /// does not parse is ignored.
    static func currentKeys(_ db: Database, own: String) throws -> [String: OrganisationPublicKey] {
        var keys: [String: OrganisationPublicKey] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT owner_org, public_key FROM organisation_key WHERE _deleted IS NULL ORDER BY id")
        {
            guard let text: String = row[1], let key = OrganisationPublicKey(base64: text) else { continue }
            keys[(row[0] as String?) ?? own] = key
        }
        return keys
    }

    /// This replica's private keys, newest first.
    static func privateKeys(_ db: Database) throws -> [StoredPrivateKey] {
        try Row.fetchAll(
            db, sql: "SELECT fingerprint, private_key FROM private_key ORDER BY created_at DESC, rowid DESC"
        )
        .compactMap { row in
            guard let bytes = Data(base64Encoded: row[1] as String),
                let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
            else { return nil }
            return StoredPrivateKey(fingerprint: row[0], key: key)
        }
    }

    /// Stores `key` among the replica's private keys (kept when it is there already).
    static func storePrivateKey(_ key: Curve25519.KeyAgreement.PrivateKey, createdAt: Int64, _ db: Database) throws
        -> OrganisationPublicKey
    {
        let publicKey = OrganisationPublicKey(key.publicKey)
        try db.execute(
            sql: "INSERT OR IGNORE INTO private_key (fingerprint, private_key, created_at) VALUES (?, ?, ?)",
            arguments: [publicKey.fingerprint, key.rawRepresentation.base64EncodedString(), createdAt])
        return publicKey
    }

    /// Creates the organisation's key pair on a new replica of an NHRI, NGO or UN country team:
    /// the private key stays here, the public key is published at the first sync unless the
    /// organisation has one already (`publishOrganisationKey`).
    static func createKeyIfHolder(kind: String, now: Int64, _ db: Database) throws {
        guard OrganisationKind(rawValue: kind)?.holdsSealingKey == true else { return }
        _ = try storePrivateKey(Curve25519.KeyAgreement.PrivateKey(), createdAt: now, db)
    }

    /// The organisations' current keys with their trust, in organisation order (`followup keys`).
    public func organisationKeys() throws -> [OrganisationKeyInfo] {
        try read { db in
            let settings = try Self.settings(db)
            let held = Set(try Self.privateKeys(db).map(\.fingerprint))
            let pins = try Self.pins(db)
            var kinds: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT org_id, kind FROM institution WHERE _deleted IS NULL AND org_id IS NOT NULL")
            {
                kinds[row[0]] = row[1]
            }
            kinds[settings.org] = settings.orgKind
            let nhris = try Self.nhriRecipients(db, adopting: false)
            return try Self.currentKeys(db, own: settings.org).sorted { $0.key < $1.key }.map { org, key in
                let pinned = pins[org]
                // The organisation's own key whose private half is here is pinned at the next sync.
                let own = org == settings.org && held.contains(key.fingerprint)
                return OrganisationKeyInfo(
                    org: org, kind: kinds[org], fingerprint: key.fingerprint, pinned: pinned,
                    trust: pinned == nil ? .new : pinned == key.fingerprint || own ? .trusted : .changed,
                    privateKeyHere: held.contains(key.fingerprint), recipient: nhris.trust(of: org))
            }
        }
    }

    static func pins(_ db: Database) throws -> [String: String] {
        var pins: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT org, fingerprint FROM pinned_key") { pins[row[0]] = row[1] }
        return pins
    }

    static func pin(_ org: String, _ fingerprint: String, _ db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO pinned_key (org, fingerprint) VALUES (?, ?) ON CONFLICT(org) DO UPDATE SET fingerprint = excluded.fingerprint",
            arguments: [org, fingerprint])
    }

    /// Pins the current key of every organisation that has none pinned yet (trust on first use),
    /// and the organisation's own current key when its private half is here (made on this
    /// device, or imported from the organisation's key file).
    static func pinNewKeys(_ db: Database) throws {
        let settings = try settings(db)
        let pins = try pins(db)
        let held = Set(try privateKeys(db).map(\.fingerprint))
        for (org, key) in try currentKeys(db, own: settings.org)
        where pins[org] == nil || (org == settings.org && held.contains(key.fingerprint)) {
            try pin(org, key.fingerprint, db)
        }
    }

    /// Trusts `org`'s current key after its fingerprint was confirmed out of band; an organisation
    /// listed as an NHRI is accepted as a recipient of sealed texts too.
    ///
    /// Sealed texts go to it from now on. `fingerprint` is the whole fingerprint or at least its first 32 hex
    /// digits, spaces allowed; another key's is refused with `fingerprint_mismatch`.
    public func trustKey(org: String, fingerprint: String) throws {
        let given = fingerprint.lowercased().filter { !$0.isWhitespace }
        try writer.write { db in
            let settings = try Self.settings(db)
            guard let key = try Self.currentKeys(db, own: settings.org)[org] else {
                throw ReplicaError(.rowNotFound, "this replica holds no key of \(org); sync first")
            }
            guard given.count >= 32, key.fingerprint.hasPrefix(given) else {
                throw ReplicaError(
                    .fingerprintMismatch,
                    "the current key of \(org) has fingerprint \(key.displayFingerprint), not \(fingerprint); nothing was trusted"
                )
            }
            try Self.pin(org, key.fingerprint, db)
            if try Self.nhriRecipients(db, adopting: true).unconfirmed.contains(org) {
                try Self.acceptRecipient(org, db)
            }
        }
    }

    /// Makes a new key pair for the replica's organisation and publishes its public key at the
    /// next sync: texts sealed from then on go to it, while the old private keys stay here and
    /// keep opening what was sealed to them.
    ///
    /// - Returns: the new key's fingerprint.
    @discardableResult
    public func rotateKey() throws -> OrganisationPublicKey {
        let settings = try settings()
        guard OrganisationKind(rawValue: settings.orgKind)?.holdsSealingKey == true else {
            throw ReplicaError(
                .forbidden, "an organisation of kind \(settings.orgKind) has no key for sealed texts")
        }
        let key = Curve25519.KeyAgreement.PrivateKey()
        let publicKey = OrganisationPublicKey(key.publicKey)
        try writer.write { db in
            _ = try Self.storePrivateKey(key, createdAt: wallClock.nowMillis(), db)
            try Self.pin(settings.org, publicKey.fingerprint, db)
        }
        try put("organisation_key", fields: ["public_key": .text(publicKey.base64)])
        return publicKey
    }

    /// Publishes the organisation's public key when the organisation has none yet: what the
    /// first replica of an NHRI, NGO or UN country team does at its first sync, with the key
    /// pair it made at `init` (or a new one, for a replica made before keys existed).
    ///
    /// - Returns: whether a key row was recorded (it waits in the outbox for the next push).
    func publishOrganisationKey() throws -> Bool {
        let settings = try settings()
        guard OrganisationKind(rawValue: settings.orgKind)?.holdsSealingKey == true else { return false }
        let publicKey: OrganisationPublicKey? = try writer.write { db in
            let hasKey =
                try Bool.fetchOne(
                    db,
                    sql:
                        "SELECT EXISTS (SELECT 1 FROM organisation_key WHERE _deleted IS NULL AND (owner_org = ? OR owner_org IS NULL))",
                    arguments: [settings.org]) ?? false
            guard !hasKey else { return nil }
            let stored = try Self.privateKeys(db).first?.key ?? Curve25519.KeyAgreement.PrivateKey()
            let publicKey = try Self.storePrivateKey(stored, createdAt: wallClock.nowMillis(), db)
            try Self.pin(settings.org, publicKey.fingerprint, db)
            return publicKey
        }
        guard let publicKey else { return false }
        try put("organisation_key", fields: ["public_key": .text(publicKey.base64)])
        return true
    }
}
