import Foundation
import GRDB
import RowStorage
import Shared

/// An evidence file attached to a row, as `Replica.attach(_:to:)` records it.
public struct AttachedEvidence: Sendable, Equatable {
    /// The attachment row's id.
    public var id: String
    /// The file's content hash (SHA-256, lower-case hex).
    public var hash: String
    /// The file's size in bytes.
    public var size: Int64
    /// The media type guessed from the file name's extension.
    public var mediaType: String
    /// The file's name, without its folders.
    public var fileName: String
}

extension Replica {
    /// Media types of the files evidence usually comes in, by lower-case extension.
    static let mediaTypes: [String: String] = [
        "pdf": "application/pdf", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "tif": "image/tiff", "tiff": "image/tiff", "txt": "text/plain", "csv": "text/csv", "json": "application/json",
        "zip": "application/zip", "mp3": "audio/mpeg", "mp4": "video/mp4",
    ]

    /// The media type of a file named `name`, from its extension (`application/octet-stream`
    /// when unknown).
    public static func mediaType(of name: String) -> String {
        mediaTypes[(name as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }

    /// Where this replica keeps evidence files by content hash, `DIR/files`; nil for a replica
    /// opened on a database writer alone, which keeps no files.
    public var evidenceDirectory: String? { directory.map { ($0 as NSString).appendingPathComponent("files") } }

    /// Attaches the file at `path` to live row `row` (`table:id`, or an id alone), under the
    /// file name `name` (the last part of `path` when nil).
    ///
    /// Stores the bytes once by content hash and records an `attachment` row naming them; the
    /// next sync uploads the bytes before the row. Refused at once (`forbidden`) when this
    /// organisation may not change the row.
    public func attach(_ path: String, named name: String? = nil, to row: String) throws -> AttachedEvidence {
        let (table, id) = try attachableRow(row)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ReplicaError(.fileNotFound, "cannot read \(path)")
        }
        let name = Self.evidenceFileName(name ?? (path as NSString).lastPathComponent)
        try authorise([RowEdit(table: "attachment", fields: Self.attachmentProbe(table: table, id: id))])
        let stored = try storeEvidence(from: path)
        var evidence = AttachedEvidence(
            id: UUIDv7.make(), hash: stored.hash, size: stored.size, mediaType: Self.mediaType(of: name),
            fileName: name)
        try putAuthorised(
            "attachment", id: evidence.id,
            fields: [
                "content_hash": .text(evidence.hash), "size": .integer(evidence.size),
                "media_type": .text(evidence.mediaType), "file_name": .text(name), "parent_table": .text(table),
                "parent_id": .text(id),
            ])
        // An attachment of a confidential submission names its sealed file (protocol §19).
        if let stored = try self.row("attachment", id: evidence.id),
            case .text(let hash)? = stored["content_hash"], case .integer(let size)? = stored["size"]
        {
            (evidence.hash, evidence.size) = (hash, size)
        }
        return evidence
    }

    /// Whether this organisation may attach a file to row `id` of `table` (it may change the row).
    public func mayAttach(to table: String, id: String) -> Bool {
        table != "attachment"
            && permits(RowEdit(table: "attachment", fields: Self.attachmentProbe(table: table, id: id)))
    }

    /// The fields of an attachment to row `id` of `table`, as the policy judges it before the
    /// file is stored.
    static func attachmentProbe(table: String, id: String) -> [String: FieldValue] {
        [
            "content_hash": .text(String(repeating: "0", count: 64)), "parent_table": .text(table),
            "parent_id": .text(id),
        ]
    }

    /// A file name as an attachment keeps it: its last path component, without control
    /// characters, at most 255 bytes of UTF-8; `file` when nothing is left.
    public static func evidenceFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var kept = String(
            String.UnicodeScalarView(
                last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) })
        )
        .trimmingCharacters(in: .whitespaces)
        while kept.utf8.count > 255 { kept.removeLast() }
        return kept.isEmpty || kept == "." || kept == ".." ? "file" : kept
    }

    /// The live attachments of row `id`, in id order.
    public func attachments(of id: String) throws -> [(id: String, values: [String: FieldValue])] {
        try rows("attachment", where: "parent_id", is: id)
    }

    /// The path of attachment `id`'s bytes on this replica, or nil when they are not here yet.
    public func evidencePath(ofAttachment id: String) throws -> String? {
        let hash = try attachmentHash(id)
        return try evidencePath(hash).flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// Writes attachment `id`'s file to `destination`, downloading it through the transport
    /// `transport` makes first when this replica lacks it (checked against the content hash),
    /// and opening it when it is sealed (`sealed` when no key here opens it: nothing is written).
    public func writeAttachment(
        _ id: String, to destination: String, transport: @escaping () throws -> any SyncTransport
    ) async throws {
        let opened = try await openAttachment(id, transport: transport)
        try EvidenceFiles.remove(destination)
        guard FileManager.default.createFile(atPath: destination, contents: opened.bytes) else {
            throw ReplicaError(.invalidFile, "cannot write \(destination)")
        }
    }

    /// The table and id of the live row `reference` names (`table:id` or an id alone) that an
    /// attachment may hang on.
    func attachableRow(_ reference: String) throws -> (table: String, id: String) {
        let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            guard parts[0] != "attachment" else {
                throw ReplicaError(.invalidValue, "an attachment is attached to a row, not to another attachment")
            }
            try requireRow(parts[0], parts[1])
            return (parts[0], parts[1])
        }
        let tables = schema.tables.map(\.name).filter { $0 != "attachment" }
        guard let table = try tableOf(reference, among: tables) else {
            throw ReplicaError(.rowNotFound, "there is no row \(reference) on this replica")
        }
        return (table, reference)
    }

    /// The content hash attachment `id` names.
    func attachmentHash(_ id: String) throws -> String {
        guard let values = try row("attachment", id: id) else {
            throw ReplicaError(.rowNotFound, "there is no attachment \(id) on this replica")
        }
        guard case .text(let hash)? = values["content_hash"], ContentHash.isValid(hash) else {
            throw ReplicaError(.invalidValue, "attachment \(id) names no valid content hash")
        }
        return hash
    }

    /// The path file `hash` has (or will have) on this replica; nil without an evidence directory.
    func evidencePath(_ hash: String) throws -> String? {
        evidenceDirectory.map { ($0 as NSString).appendingPathComponent(hash) }
    }

    /// Copies the file at `path` into the evidence directory under its content hash, through a
    /// synced temporary file and a rename, and answers the hash and size.
    func storeEvidence(from path: String) throws -> (hash: String, size: Int64) {
        guard let directory = evidenceDirectory else { throw Self.noEvidenceDirectory }
        let source = try ContentHash.ofFile(atPath: path)
        let destination = (directory as NSString).appendingPathComponent(source.hash)
        guard try EvidenceFiles.size(atPath: destination) != source.size else { return source }
        let incoming = (directory as NSString).appendingPathComponent(".incoming-\(UUIDv7.make())")
        try PrivateFiles.directory(directory)
        try FileManager.default.copyItem(atPath: path, toPath: incoming)
        let copy = try ContentHash.ofFile(atPath: incoming)
        guard copy == source, let handle = FileHandle(forWritingAtPath: incoming) else {
            try EvidenceFiles.remove(incoming)
            throw ReplicaError(.invalidFile, "\(path) changed while it was being copied; attach it again")
        }
        try handle.synchronize()
        try handle.close()
        try EvidenceFiles.moveIntoPlace(incoming, to: destination)
        return source
    }

    /// The files named by attachments this replica has not pushed yet whose bytes it holds,
    /// with their sizes: what a sync uploads before pushing.
    func evidenceToUpload() throws -> [(hash: String, size: Int64)] {
        guard evidenceDirectory != nil else { return [] }
        let hashes = try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT json_extract(op, '$.fields.content_hash') FROM outbox
                    WHERE json_extract(op, '$.table') = 'attachment'
                      AND json_type(op, '$.fields.content_hash') = 'text'
                      AND json_extract(op, '$.row') NOT IN (SELECT row_id FROM sealing_wait)
                    """)
        }
        return try hashes.filter(ContentHash.isValid).compactMap { hash in
            try evidencePath(hash).flatMap { try EvidenceFiles.size(atPath: $0) }.map { (hash: hash, size: $0) }
        }
    }

    /// The files named by live attachments whose bytes this replica lacks: what a sync downloads.
    func missingEvidence() throws -> [String] {
        guard evidenceDirectory != nil else { return [] }
        return try referencedEvidence().sorted().filter { hash in
            try evidencePath(hash).map { !FileManager.default.fileExists(atPath: $0) } ?? false
        }
    }

    /// Removes the files (and unfinished downloads) no live attachment of this replica names,
    /// such as those of attachments a purge removed.
    ///
    /// - Returns: how many files were removed.
    @discardableResult
    public func removeUnreferencedEvidence() throws -> Int {
        guard let directory = evidenceDirectory, FileManager.default.fileExists(atPath: directory) else { return 0 }
        let kept = try referencedEvidence()
        var removed = 0
        // Hidden names are copies `attach` is making, perhaps in another process: left alone.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where !name.hasPrefix(".") {
            let hash = name.hasSuffix(Self.partialSuffix) ? String(name.dropLast(Self.partialSuffix.count)) : name
            guard !kept.contains(hash) else { continue }
            try EvidenceFiles.remove((directory as NSString).appendingPathComponent(name))
            if !name.hasSuffix(Self.partialSuffix) { removed += 1 }
        }
        return removed
    }

    /// The content hashes live attachments of this replica name.
    func referencedEvidence() throws -> Set<String> {
        Set(
            try read { db in
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT DISTINCT content_hash FROM attachment WHERE _deleted IS NULL AND content_hash IS NOT NULL"
                )
            }.filter(ContentHash.isValid))
    }

    /// The suffix of a download not finished yet (`DIR/files/<hash>.part`).
    static let partialSuffix = ".part"

    static var noEvidenceDirectory: ReplicaError {
        ReplicaError(.invalidFile, "this replica has no directory to keep evidence files in")
    }
}
