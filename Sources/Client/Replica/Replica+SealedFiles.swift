import Crypto
import Foundation
import GRDB
import RowStorage
import Shared

/// An attachment's file as this replica can give it: opened when it was sealed and a key
/// here opens it.
public struct OpenedEvidence: Sendable, Equatable {
    /// The file's name (opened when it was sealed).
    public var fileName: String
    /// The file's media type (opened when it was sealed).
    public var mediaType: String
    /// The file's bytes, opened.
    public var bytes: Data
    /// Whether the file was sealed on the server (and opened here).
    public var wasSealed: Bool

    /// Creates an opened file.
    public init(fileName: String, mediaType: String, bytes: Data, wasSealed: Bool) {
        self.fileName = fileName
        self.mediaType = mediaType
        self.bytes = bytes
        self.wasSealed = wasSealed
    }
}

extension Replica {
    /// The attachment's columns sealed as texts when its parent is a confidential submission;
    /// its file is sealed as a `SealedFile`.
    static let sealedAttachmentColumns = ["file_name", "media_type"]
    /// The attachment's columns that name its file.
    static let fileColumns = ["content_hash", "size"]

    /// Whether the attachment with `fields` written over `existing` hangs on a submission that
    /// is confidential on this replica.
    static func hangsOnConfidential(
        _ fields: [String: FieldValue], over existing: [String: FieldValue], _ db: Database
    ) throws -> Bool {
        guard (fields["parent_table"] ?? existing["parent_table"]) == .text(sealedTable),
            case .text(let parent)? = fields["parent_id"] ?? existing["parent_id"]
        else { return false }
        return try Bool.fetchOne(
            db, sql: "SELECT confidential FROM submission WHERE id = ? AND _deleted IS NULL", arguments: [parent])
            == true
    }

    /// Whether the file at `path` starts as a sealed file does.
    static func isSealedFile(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return SealedFile.isSealed((try? handle.read(upToCount: SealedFile.magic.count)) ?? Data())
    }

    /// Whether `fields` write an attachment's name, media type or file in clear.
    func writesClearAttachment(_ fields: [String: FieldValue]) throws -> Bool {
        for column in Self.sealedAttachmentColumns {
            if case .text(let text)? = fields[column], !SealedText.isSealed(text) { return true }
        }
        guard case .text(let hash)? = fields["content_hash"], let path = try evidencePath(hash),
            FileManager.default.fileExists(atPath: path)
        else { return false }
        return !Self.isSealedFile(atPath: path)
    }

    /// Seals the attachment `operation` writes when its parent is a confidential submission, or
    /// marks its row as waiting for keys (protocol §19).
    ///
    /// Its name and media type become sealed texts, and its file a sealed file kept here under
    /// its own hash, which `content_hash` and `size` then name. Until the keys are there the operation keeps its values in clear in the
    /// outbox, its row waits (`sealing_wait`), and neither it nor its file is sent.
    func sealingAttachment(_ made: SyncOperation, _ db: Database) throws -> SyncOperation {
        guard made.kind == .upsert else { return made }
        let table = try table("attachment")
        let existing = try rows.values(table, id: made.row, db) ?? [:]
        guard try Self.hangsOnConfidential(made.fields, over: existing, db) else { return made }
        // An edit moving an attachment held in clear onto a confidential submission carries its
        // name, media type and file, to be sealed (as a text is when its row becomes confidential).
        var operation = made
        let held = existing.filter {
            Self.sealedAttachmentColumns.contains($0.key) || Self.fileColumns.contains($0.key)
        }
        if try writesClearAttachment(held) { operation.fields.merge(held) { written, _ in written } }
        guard try writesClearAttachment(operation.fields) else { return made }
        let waiting =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM sealing_wait WHERE row_id = ?)", arguments: [operation.row])
            ?? false
        let found: Result<[OrganisationPublicKey], SealingBlock> =
            waiting ? .failure(.noNHRI) : try Self.sealingRecipients(db)
        switch found {
        case .failure:
            try db.execute(sql: "INSERT OR IGNORE INTO sealing_wait (row_id) VALUES (?)", arguments: [operation.row])
            return operation
        case .success(let recipients):
            return try sealedAttachment(operation, to: recipients)
        }
    }

    /// `operation` with the attachment's clear name, media type and file sealed to `recipients`.
    func sealedAttachment(_ operation: SyncOperation, to recipients: [OrganisationPublicKey]) throws -> SyncOperation {
        var sealed = operation
        for column in Self.sealedAttachmentColumns {
            guard case .text(let text)? = operation.fields[column], !SealedText.isSealed(text) else { continue }
            let binding = SealedText.binding(table: "attachment", row: operation.row, column: column)
            sealed.fields[column] = .text(try SealedText.seal(text, to: recipients, binding: binding).value)
        }
        if case .text(let hash)? = operation.fields["content_hash"], let path = try evidencePath(hash),
            FileManager.default.fileExists(atPath: path), !Self.isSealedFile(atPath: path)
        {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let file = try SealedFile.seal(
                bytes, to: recipients, binding: SealedFile.binding(attachment: operation.row))
            let stored = try storeEvidence(file.bytes)
            sealed.fields["content_hash"] = .text(stored.hash)
            sealed.fields["size"] = .integer(stored.size)
        }
        if case .failure(let rejection) = OperationRules.validate(sealed, schema: schema) {
            throw ReplicaError(
                rejection.code, "\(rejection.message): a confidential file's name grows once sealed; shorten it")
        }
        return sealed
    }

    /// Seals the attachment edits waiting in the outbox for keys, now that the keys are here
    /// (called by `sealWaiting`): their operations are rewritten and the rows hold the sealed
    /// values.
    ///
    /// - Returns: how many operations were sealed.
    func sealWaitingAttachments(
        _ rowIDs: Set<String>, to recipients: [OrganisationPublicKey], _ db: Database
    ) throws -> Int {
        let decoder = WireCoding.decoder()
        var count = 0
        for row in try Row.fetchAll(
            db, sql: "SELECT seq, op FROM outbox WHERE json_extract(op, '$.table') = 'attachment' ORDER BY seq")
        {
            let operation = try decoder.decode(SyncOperation.self, from: Data((row[1] as String).utf8))
            guard rowIDs.contains(operation.row), operation.kind == .upsert else { continue }
            let existing = try rows.values(try table("attachment"), id: operation.row, db) ?? [:]
            guard try Self.hangsOnConfidential(operation.fields, over: existing, db),
                try writesClearAttachment(operation.fields)
            else { continue }
            let sealed = try sealedAttachment(operation, to: recipients)
            try db.execute(
                sql: "UPDATE outbox SET op = ? WHERE seq = ?", arguments: [WireJSON.encode(sealed), row[0]])
            for column in Self.sealedAttachmentColumns + Self.fileColumns {
                guard let clear = operation.fields[column], let value = sealed.fields[column], clear != value else {
                    continue
                }
                try db.execute(
                    sql: "UPDATE attachment SET \(column) = ? WHERE id = ? AND \(column) = ?",
                    arguments: [value.databaseValue, operation.row, clear.databaseValue])
            }
            count += 1
        }
        return count
    }

    /// Seals, in new edits, the live attachments of this organisation held in clear on a
    /// confidential submission, and opens those held sealed on a submission that is not
    /// confidential any more (protocol §19).
    ///
    /// The first are files attached before their submission was made confidential, the second
    /// files of a submission made public again (as its text is opened). Only attachments whose
    /// file is here and opens are changed; the others wait for a later sync.
    ///
    /// - Returns: how many attachments were sealed or opened.
    func settleAttachmentSeals() throws -> Int {
        let org = try settings().org
        let found = try read { db -> (seal: [(String, [String: FieldValue])], open: [(String, [String: FieldValue])]) in
            let table = try table("attachment")
            let keys = try Self.privateKeys(db).map(\.key)
            var toSeal: [(String, [String: FieldValue])] = []
            var toOpen: [(String, [String: FieldValue])] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, s.confidential FROM attachment a JOIN submission s ON s.id = a.parent_id
                    WHERE a._deleted IS NULL AND s._deleted IS NULL AND a.parent_table = 'submission'
                      AND a.owner_org = ?
                    """, arguments: [org])
            {
                let id: String = row[0]
                guard let values = try rows.values(table, id: id, db),
                    case .text(let hash)? = values["content_hash"], let path = try evidencePath(hash),
                    FileManager.default.fileExists(atPath: path)
                else { continue }
                let fields = values.filter {
                    Self.sealedAttachmentColumns.contains($0.key) || Self.fileColumns.contains($0.key)
                }
                // The name tells whether the attachment is sealed (this client seals all of it at
                // once), so a sync reads no file's bytes but those of attachments without a name.
                let names = Self.sealedAttachmentColumns.compactMap { AccessPolicy.text(fields[$0]) }
                if (row[1] as Bool?) == true {
                    let clear =
                        names.isEmpty ? try writesClearAttachment(fields) : names.contains { !SealedText.isSealed($0) }
                    if clear { toSeal.append((id, fields)) }
                } else if names.isEmpty ? Self.isSealedFile(atPath: path) : names.contains(where: SealedText.isSealed),
                    let opened = try openedFields(id, fields, path: path, keys: keys, db)
                {
                    toOpen.append((id, opened))
                }
            }
            return (toSeal, toOpen)
        }
        var changed = 0
        if !found.seal.isEmpty, case .success = try writer.write({ db in try Self.sealingRecipients(db) }) {
            for (id, fields) in found.seal where (try? putAuthorised("attachment", id: id, fields: fields)) != nil {
                changed += 1
            }
        }
        for (id, fields) in found.open where (try? putAuthorised("attachment", id: id, fields: fields)) != nil {
            changed += 1
        }
        return changed
    }

    /// The fields of sealed attachment `id` opened, its file opened and kept here under its own
    /// hash; nil when it is not sealed or a key here does not open all of it.
    func openedFields(
        _ id: String, _ fields: [String: FieldValue], path: String, keys: [Curve25519.KeyAgreement.PrivateKey],
        _ db: Database
    ) throws -> [String: FieldValue]? {
        let names = Self.sealedAttachmentColumns.filter { column in
            if case .text(let value)? = fields[column] { return SealedText.isSealed(value) }
            return false
        }
        guard !names.isEmpty || Self.isSealedFile(atPath: path) else { return nil }
        var opened = fields
        for column in names {
            guard case .text(let value)? = fields[column], let envelope = SealedText(value: value),
                let text = envelope.open(
                    with: keys, binding: SealedText.binding(table: "attachment", row: id, column: column))
            else { return nil }
            opened[column] = .text(text)
        }
        if Self.isSealedFile(atPath: path) {
            guard let file = SealedFile(bytes: try Data(contentsOf: URL(fileURLWithPath: path))),
                let bytes = file.open(with: keys, binding: SealedFile.binding(attachment: id))
            else { return nil }
            let stored = try storeEvidence(bytes)
            opened["content_hash"] = .text(stored.hash)
            opened["size"] = .integer(stored.size)
        }
        return opened
    }

    /// Stores `bytes` in the evidence directory under their content hash, through a synced
    /// temporary file and a rename, and answers the hash and size.
    func storeEvidence(_ bytes: Data) throws -> (hash: String, size: Int64) {
        guard let directory = evidenceDirectory else { throw Self.noEvidenceDirectory }
        let hash = ContentHash.of(bytes)
        let destination = (directory as NSString).appendingPathComponent(hash)
        guard try EvidenceFiles.size(atPath: destination) != Int64(bytes.count) else {
            return (hash, Int64(bytes.count))
        }
        try PrivateFiles.directory(directory)
        let incoming = (directory as NSString).appendingPathComponent(".incoming-\(UUIDv7.make())")
        guard FileManager.default.createFile(atPath: incoming, contents: bytes),
            let handle = FileHandle(forWritingAtPath: incoming)
        else { throw ReplicaError(.invalidFile, "cannot write a sealed file into \(directory)") }
        try handle.synchronize()
        try handle.close()
        try EvidenceFiles.moveIntoPlace(incoming, to: destination)
        return (hash, Int64(bytes.count))
    }

    /// Attachment `id`'s file, opened: its name, media type and bytes, downloading the bytes
    /// first (through the transport `transport` makes) when this replica lacks them.
    ///
    /// A sealed file is opened with this replica's private keys; one no key here opens throws
    /// `sealed` and gives nothing, never the ciphertext as if it were the document.
    public func openAttachment(
        _ id: String, transport: @escaping () throws -> any SyncTransport
    ) async throws -> OpenedEvidence {
        if try evidencePath(ofAttachment: id) == nil {
            try await SyncEngine(replica: self, transport: try transport()).download(try attachmentHash(id))
        }
        return try openedAttachment(id)
    }

    /// Attachment `id`'s file as this replica holds it, opened (`openAttachment` without the
    /// download): `file_not_found` when its bytes are not here yet, `sealed` when no key here
    /// opens it.
    public func openedAttachment(_ id: String) throws -> OpenedEvidence {
        guard let path = try evidencePath(ofAttachment: id) else {
            throw ReplicaError(.fileNotFound, "the file of attachment \(id) is not on this replica yet; sync first")
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let values = try row("attachment", id: id) ?? [:]
        let storedName = AccessPolicy.text(values["file_name"])
        let storedType = AccessPolicy.text(values["media_type"])
        guard SealedFile.isSealed(bytes) || storedName.map(SealedText.isSealed) == true else {
            let name = storedName.map(Self.evidenceFileName) ?? "file"
            return OpenedEvidence(
                fileName: name, mediaType: storedType ?? Self.mediaType(of: name), bytes: bytes, wasSealed: false)
        }
        let keys = try read { db in try Self.privateKeys(db).map(\.key) }
        guard let file = SealedFile(bytes: bytes),
            let opened = file.open(with: keys, binding: SealedFile.binding(attachment: id)),
            storedName.map(SealedText.isSealed) != true, storedType.map(SealedText.isSealed) != true
        else {
            throw ReplicaError(
                .sealed,
                "attachment \(id) is sealed to keys this replica does not hold; import the organisation's keys (followup keys import)"
            )
        }
        let name = storedName.map(Self.evidenceFileName) ?? "file"
        return OpenedEvidence(
            fileName: name, mediaType: storedType ?? Self.mediaType(of: name), bytes: opened, wasSealed: true)
    }

    /// Whether attachment `id` is sealed and no key of this replica opens its name.
    public func isSealedAttachment(_ id: String) throws -> Bool {
        guard case .text(let name)? = try row("attachment", id: id)?["file_name"] else { return false }
        return SealedText.isSealed(name)
    }
}
