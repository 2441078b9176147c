import Crypto
import Foundation
import GRDB
import RowStorage
import Shared

/// Why a confidential text cannot be sealed yet.
public enum SealingBlock: Error, Sendable, Equatable, CustomStringConvertible {
    /// The replica knows no NHRI (no institution of kind `nhri` naming its organisation).
    case noNHRI
    /// The organisation has published no key yet (its first replica has not synced).
    case missingKey(org: String)
    /// The organisation's key is not the one pinned here: it waits for the user's trust.
    case changedKey(org: String, pinned: String, current: String)
    /// No NHRI is accepted on this replica yet and several organisations are listed as NHRIs:
    /// the user trusts the real one (`followup keys trust`) after confirming it out of band.
    case unconfirmedNHRI(orgs: [String])
    /// The replica's own organisation's current key was made on another of its devices and is
    /// neither on this one nor trusted here: import the organisation's key file, or trust it.
    case ownKeyElsewhere(org: String, current: String)

    /// The reason in words, with what to do.
    public var description: String {
        switch self {
        case .noNHRI: "this replica knows no NHRI yet; sync again later"
        case .missingKey(let org): "\(org) has published no key yet; sync again later"
        case .changedKey(let org, let pinned, let current):
            "the key of \(org) CHANGED (was \(OrganisationPublicKey.display(pinned)), now \(OrganisationPublicKey.display(current))); confirm the new fingerprint with \(org) out of band, then run: followup keys trust \(org) \(current)"
        case .unconfirmedNHRI(let orgs):
            "no NHRI is trusted on this replica yet and several organisations are listed as NHRIs (\(orgs.joined(separator: ", "))); confirm the real NHRI's fingerprint with it out of band ('followup keys'), then run: followup keys trust ORG FINGERPRINT"
        case .ownKeyElsewhere(let org, let current):
            "the current key of your organisation \(org) (\(OrganisationPublicKey.display(current))) was made on another device and is not on this one; import \(org)'s key file ('followup keys export' on a device that holds it, then 'followup keys import FILE' here), or confirm the fingerprint with a colleague and run: followup keys trust \(org) \(current)"
        }
    }
}

extension Replica {
    /// The table and column whose values are sealed when the row is confidential.
    static let sealedTable = "submission"
    static let sealedColumn = "text"

    /// The keys a confidential text is sealed to, or why it cannot be sealed yet.
    ///
    /// They are the current key of every NHRI this replica accepted (`nhriRecipients`: the first
    /// one listed on first use, any other only once the user trusts it) and that of the replica's
    /// own organisation (so it re-reads what it sent), each the key pinned for its organisation.
    /// A key seen for the first time is pinned now (trust on first use), as is an own
    /// organisation's key whose private half is here; a key other than the pinned one blocks
    /// sealing. An organisation listed as an NHRI but not accepted gets nothing and blocks
    /// nothing, unless no NHRI is accepted at all.
    static func sealingRecipients(
        _ db: Database, pinning: Bool = true
    ) throws -> Result<[OrganisationPublicKey], SealingBlock> {
        let settings = try settings(db)
        let keys = try currentKeys(db, own: settings.org)
        let nhris = try nhriRecipients(db, adopting: pinning)
        guard !nhris.trusted.isEmpty else {
            return .failure(nhris.unconfirmed.isEmpty ? .noNHRI : .unconfirmedNHRI(orgs: nhris.unconfirmed))
        }
        var orgs = nhris.trusted
        if !orgs.contains(settings.org) { orgs.append(settings.org) }
        let pins = try pins(db)
        let held = Set(try privateKeys(db).map(\.fingerprint))
        var recipients: [OrganisationPublicKey] = []
        for org in orgs {
            let unpublished = org == settings.org ? try ownUnpublishedKey(db) : nil
            guard let key = keys[org] ?? unpublished else {
                return .failure(.missingKey(org: org))
            }
            var pinned = pins[org]
            if org == settings.org, held.contains(key.fingerprint), pinned != key.fingerprint {
                // Its private half is here: it came from this device or the organisation's key file.
                if pinning { try pin(org, key.fingerprint, db) }
                pinned = key.fingerprint
            }
            if let pinned, pinned != key.fingerprint {
                return .failure(
                    org == settings.org
                        ? .ownKeyElsewhere(org: org, current: key.fingerprint)
                        : .changedKey(org: org, pinned: pinned, current: key.fingerprint))
            }
            if pinned == nil, pinning { try pin(org, key.fingerprint, db) }
            recipients.append(key)
        }
        return .success(recipients)
    }

    /// The public half of the replica's newest private key, before the organisation's key row exists.
    private static func ownUnpublishedKey(_ db: Database) throws -> OrganisationPublicKey? {
        try privateKeys(db).first.map { OrganisationPublicKey($0.key.publicKey) }
    }

    /// Seals the confidential text `operation` writes, or marks its row as waiting for keys.
    ///
    /// An upsert of a submission that is confidential once applied (by its own `confidential` or
    /// the row's) has its `text` sealed; one that makes a row confidential carries the row's
    /// text, sealed. An upsert making a sealed row non-confidential carries its text opened, when
    /// this replica can open it. When the keys are missing or changed, the operation keeps its
    /// text in clear in the outbox and its row waits (`sealing_wait`): no edit of that row is
    /// pushed until `sealWaiting` has sealed them.
    func sealing(_ operation: SyncOperation, _ db: Database) throws -> SyncOperation {
        if operation.table == "attachment" { return try sealingAttachment(operation, db) }
        // Only submission and attachment rows ever wait, so other tables' edits (imports) pay nothing here.
        guard operation.table == Self.sealedTable, operation.kind == .upsert else { return operation }
        let waiting =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM sealing_wait WHERE row_id = ?)", arguments: [operation.row])
            ?? false
        let table = try table(Self.sealedTable)
        let existing = try rows.values(table, id: operation.row, db) ?? [:]
        let confidential = (operation.fields["confidential"] ?? existing["confidential"]) == .bool(true)
        var sealed = operation
        let column = Self.sealedColumn
        let binding = SealedText.binding(table: table.name, row: operation.row, column: column)
        guard confidential else {
            if operation.fields["confidential"] == .bool(false), operation.fields[column] == nil,
                case .text(let value) = existing[column], let envelope = SealedText(value: value),
                let text = envelope.open(with: try Self.privateKeys(db).map(\.key), binding: binding)
            {
                sealed.fields[column] = .text(text)
            }
            return sealed
        }
        guard case .text(let text) = operation.fields[column] ?? existing[column], !SealedText.isSealed(text) else {
            return operation
        }
        let found: Result<[OrganisationPublicKey], SealingBlock> =
            waiting ? .failure(.noNHRI) : try Self.sealingRecipients(db)
        switch found {
        case .failure:
            sealed.fields[column] = .text(text)
            try db.execute(sql: "INSERT OR IGNORE INTO sealing_wait (row_id) VALUES (?)", arguments: [operation.row])
        case .success(let recipients):
            sealed.fields[column] = .text(try SealedText.seal(text, to: recipients, binding: binding).value)
            if case .failure(let rejection) = OperationRules.validate(sealed, schema: schema) {
                throw ReplicaError(
                    rejection.code,
                    "\(rejection.message): a confidential text grows by about a third once sealed; shorten it")
            }
        }
        return sealed
    }

    /// Seals the confidential texts waiting in the outbox, now that the keys have arrived and
    /// are trusted: their operations are rewritten and the rows hold the sealed values.
    ///
    /// - Returns: the operations sealed, or why they still wait (nil when nothing waits).
    @discardableResult
    public func sealWaiting() throws -> (sealed: Int, blocked: SealingBlock?) {
        try writer.write { db -> (sealed: Int, blocked: SealingBlock?) in
            let rowIDs = Set(try String.fetchAll(db, sql: "SELECT row_id FROM sealing_wait"))
            guard !rowIDs.isEmpty else { return (0, nil) }
            let recipients: [OrganisationPublicKey]
            switch try Self.sealingRecipients(db) {
            case .failure(let block): return (0, block)
            case .success(let found): recipients = found
            }
            let table = try table(Self.sealedTable)
            let column = Self.sealedColumn
            let decoder = WireCoding.decoder()
            var count = try sealWaitingAttachments(rowIDs, to: recipients, db)
            for row in try Row.fetchAll(db, sql: "SELECT seq, op FROM outbox ORDER BY seq") {
                var operation = try decoder.decode(SyncOperation.self, from: Data((row[1] as String).utf8))
                guard rowIDs.contains(operation.row), operation.table == table.name,
                    case .text(let text) = operation.fields[column], !SealedText.isSealed(text)
                else { continue }
                let current = try rows.values(table, id: operation.row, db) ?? [:]
                guard current["confidential"] == .bool(true) || operation.fields["confidential"] == .bool(true) else {
                    continue
                }
                let binding = SealedText.binding(table: table.name, row: operation.row, column: column)
                let value = try SealedText.seal(text, to: recipients, binding: binding).value
                operation.fields[column] = .text(value)
                try db.execute(
                    sql: "UPDATE outbox SET op = ? WHERE seq = ?", arguments: [WireJSON.encode(operation), row[0]])
                try db.execute(
                    sql: "UPDATE submission SET text = ? WHERE id = ? AND text = ?",
                    arguments: [value, operation.row, text])
                count += 1
            }
            try db.execute(sql: "DELETE FROM sealing_wait")
            return (count, nil)
        }
    }

    /// Why confidential edits wait, when some do (nil when none wait).
    public func sealingBlock() throws -> SealingBlock? {
        try read { db -> SealingBlock? in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sealing_wait") ?? 0 > 0 else { return nil }
            if case .failure(let block) = try Self.sealingRecipients(db, pinning: false) { return block }
            return nil
        }
    }

    /// `values` of row `id` of `table` with a sealed text opened, when this replica holds a key
    /// that opens it; the sealed value is kept otherwise.
    static func revealed(
        _ table: String, id: String, _ values: [String: FieldValue], _ db: Database
    ) throws -> [String: FieldValue] {
        if table == "attachment" { return try revealedAttachment(id: id, values, db) }
        guard table == sealedTable, case .text(let value) = values[sealedColumn],
            let envelope = SealedText(value: value)
        else { return values }
        let binding = SealedText.binding(table: table, row: id, column: sealedColumn)
        guard let text = envelope.open(with: try privateKeys(db).map(\.key), binding: binding) else { return values }
        var opened = values
        opened[sealedColumn] = .text(text)
        return opened
    }

    /// An attachment's `values` with its sealed name and media type opened, when a key here
    /// opens them; the sealed values are kept otherwise.
    static func revealedAttachment(
        id: String, _ values: [String: FieldValue], _ db: Database
    ) throws -> [String: FieldValue] {
        guard
            sealedAttachmentColumns.contains(where: { column in
                if case .text(let value)? = values[column] { return SealedText.isSealed(value) }
                return false
            })
        else { return values }
        let keys = try privateKeys(db).map(\.key)
        var opened = values
        for column in sealedAttachmentColumns {
            guard case .text(let value)? = values[column], let envelope = SealedText(value: value),
                let text = envelope.open(
                    with: keys, binding: SealedText.binding(table: "attachment", row: id, column: column))
            else { continue }
            opened[column] = .text(text)
        }
        return opened
    }

    /// What a sync does about keys after its pull: pins the keys seen for the first time,
    /// accepts the first NHRI on first use, publishes the organisation's key when it has none,
    /// and seals the confidential edits that waited for keys now there and trusted.
    public func settleKeys() throws -> KeySettlement {
        let nhris = try writer.write { db in
            try Self.pinNewKeys(db)
            return try Self.nhriRecipients(db, adopting: true)
        }
        let published = try publishOrganisationKey()
        var (sealed, block) = try sealWaiting()
        if block == nil { sealed += try settleAttachmentSeals() }
        let changed = try organisationKeys().filter { $0.trust == .changed }.map(\.org)
        return KeySettlement(
            published: published, sealed: sealed, block: block, changed: changed,
            unconfirmedRecipients: nhris.unconfirmed, unlistedRecipients: nhris.unlisted,
            ownKeysElsewhere: try read { db in try Self.ownKeysElsewhere(db) })
    }
}

/// What a sync did about keys (`Replica.settleKeys`), and what the user must be told.
public struct KeySettlement: Sendable, Equatable {
    /// Whether a key row was recorded (the organisation had none published).
    public var published: Bool
    /// Confidential edits sealed now that their keys are there and trusted.
    public var sealed: Int
    /// Why confidential edits still wait, when some do.
    public var block: SealingBlock?
    /// Organisations whose current key is not the one pinned here.
    public var changed: [String]
    /// Organisations listed as NHRIs that this replica has not accepted: nothing is sealed to them.
    public var unconfirmedRecipients: [String]
    /// Accepted NHRIs no longer listed as NHRIs: still sealed to until the user forgets them.
    public var unlistedRecipients: [String]
    /// Fingerprints of the organisation's published keys whose private key is not on this device.
    public var ownKeysElsewhere: [String]
}
