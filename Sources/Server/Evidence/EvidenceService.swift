import Foundation
import NIOCore
import Shared

/// The evidence files' logic, free of HTTP: resumable uploads by content hash, downloads for
/// those who may read an attachment naming the file, and the push's check that an attachment
/// names bytes its organisation uploaded.
///
/// An organisation **knows** a file when it uploaded it whole or may read (by the access
/// policy, as the feed files it) an attachment naming it; it may **download** it only in the
/// second case. Nothing answered to anyone else tells whether the server holds the file.
public struct EvidenceService: Sendable {
    /// Where the bytes are kept.
    public let files: any EvidenceStore
    /// The synced rows, to find the attachments naming a file and who reads them.
    public let storage: any ServerStorage
    /// The largest file accepted, in bytes (`--max-file-bytes`).
    public let maxFileBytes: Int64

    /// Creates the service.
    public init(
        files: any EvidenceStore, storage: any ServerStorage, maxFileBytes: Int64 = ContentHash.defaultMaxFileBytes
    ) {
        self.files = files
        self.storage = storage
        self.maxFileBytes = maxFileBytes
    }

    /// How many bytes of file `hash` the server holds for `session`: the whole file when its
    /// organisation knows it, otherwise what its own unfinished upload holds (0 when none).
    public func offset(of hash: String, session: Session) async throws -> FileUploadResponse {
        try Self.requireValid(hash)
        if let size = try files.completeSize(hash), try await knows(hash, session: session) {
            return FileUploadResponse(offset: size, complete: true)
        }
        return FileUploadResponse(offset: try files.receivedBytes(hash, uploader: session.org), complete: false)
    }

    /// Appends `chunks` at `offset` to the session's upload of file `hash`, whose whole size is
    /// `length`; once the upload holds `length` bytes its SHA-256 is checked.
    ///
    /// Throws `file_too_large` when `length` is over the limit (nothing stored),
    /// `offset_mismatch` when `offset` is not what the upload holds, `hash_mismatch` when the
    /// finished bytes do not hash to `hash` (they are discarded).
    public func upload<Chunks: AsyncSequence>(
        _ chunks: Chunks, to hash: String, offset: Int64, length: Int64, session: Session
    ) async throws -> FileUploadResponse where Chunks.Element == ByteBuffer {
        try Self.requireValid(hash)
        guard length <= maxFileBytes else {
            throw ServiceError(
                .fileTooLarge,
                "the file has \(length) bytes; this server accepts files of at most \(maxFileBytes) bytes")
        }
        guard length >= 0, offset >= 0, offset <= length else {
            throw ServiceError(.malformedRequest, "Upload-Offset must lie between 0 and Upload-Length")
        }
        if try files.completeSize(hash) == length, try await knows(hash, session: session) {
            return FileUploadResponse(offset: length, complete: true)
        }
        let held = try await files.append(chunks, to: hash, uploader: session.org, at: offset, length: length)
        guard held == length else { return FileUploadResponse(offset: held, complete: false) }
        try files.finish(hash, uploader: session.org)
        return FileUploadResponse(offset: length, complete: true)
    }

    /// The bytes of file `hash` from `first` to `last` (the end when nil), with the file's size,
    /// for a session that may read an attachment naming it; `not_found` for anyone else, and
    /// `invalid_range` for a range starting past the end.
    public func download(
        _ hash: String, first: Int64 = 0, last: Int64? = nil, session: Session
    ) async throws -> (bytes: Data, size: Int64) {
        guard ContentHash.isValid(hash), let size = try files.completeSize(hash),
            try await mayRead(hash, session: session)
        else {
            throw ServiceError(.notFound, "no such file")
        }
        guard first < size || (first == 0 && size == 0) else {
            throw ServiceError(.invalidRange, "the file has \(size) bytes; a range cannot start at \(first)")
        }
        let end = min(last ?? (size - 1), size - 1)
        guard end >= first || size == 0 else { throw ServiceError(.invalidRange, "the range is empty") }
        return (try files.read(hash, from: first, length: max(end - first + 1, 0)), size)
    }

    /// What a push needs to know of the files its attachments name, read before its transaction
    /// (complete files never change, so this stays true while it runs).
    public func attachedFiles(of operations: [SyncOperation], session: Session) throws -> AttachedFiles {
        var named = AttachedFiles(maxFileBytes: maxFileBytes)
        for operation in operations where operation.table == AttachedFiles.table {
            guard case .text(let hash)? = operation.fields["content_hash"], ContentHash.isValid(hash) else {
                continue
            }
            let size = try files.completeSize(hash)
            named.sizes[hash] = size
            if let size,
                SealedFile.isSealed(try files.read(hash, from: 0, length: min(size, Int64(SealedFile.magic.count))))
            {
                named.sealed.insert(hash)
            }
            if try files.hasUploaded(hash, uploader: session.org) { named.uploaded.insert(hash) }
        }
        return named
    }

    /// Whether the session's organisation uploaded file `hash` or may read an attachment naming it.
    func knows(_ hash: String, session: Session) async throws -> Bool {
        if try files.hasUploaded(hash, uploader: session.org) { return true }
        return try await mayRead(hash, session: session)
    }

    /// Whether one of the session's audience keys sees an attachment naming file `hash`.
    func mayRead(_ hash: String, session: Session) async throws -> Bool {
        let keys = session.viewer.audienceKeys.map(\.description)
        return try await storage.read { store in
            try AttachedFiles.visible(hash, keys: keys, in: store)
        }
    }

    static func requireValid(_ hash: String) throws {
        guard ContentHash.isValid(hash) else {
            throw ServiceError(.malformedRequest, "a file is named by its SHA-256: 64 lower-case hex digits")
        }
    }
}

/// The files a push's attachments name, as the server holds them, and the push's check of each
/// accepted attachment operation against them.
public struct AttachedFiles: Sendable {
    static let table = "attachment"

    /// The largest file accepted, in bytes.
    public var maxFileBytes: Int64
    /// The size of each named file the server holds whole (nil: not held whole).
    public var sizes: [String: Int64?] = [:]
    /// The named files the pushing organisation uploaded whole.
    public var uploaded: Set<String> = []
    /// The named files held whole that start as a sealed file does (`SealedFile.magic`).
    public var sealed: Set<String> = []

    /// Creates the facts of a push that names no file.
    public init(maxFileBytes: Int64) {
        self.maxFileBytes = maxFileBytes
    }

    /// Why an operation the decider accepted must be refused after all, or nil: an attachment
    /// naming a file whose bytes the pushing organisation has not uploaded whole and may not
    /// read (`file_not_uploaded`), of a size over the limit (`file_too_large`), a `size`
    /// that is not the file's (`invalid_value`), or an attachment of a confidential submission
    /// in clear (`invalid_value`, `clearFileRejection`).
    func refusal(of operation: SyncOperation, keys: [String], in store: some SyncStoreReader) throws -> Rejection? {
        guard operation.table == Self.table, operation.kind == .upsert else { return nil }
        let written = operation.fields["size"].flatMap { value -> Int64? in
            if case .integer(let size) = value { return size } else { return nil }
        }
        if let written, written > maxFileBytes {
            return Rejection(
                .fileTooLarge,
                "the file has \(written) bytes; this server accepts files of at most \(maxFileBytes) bytes")
        }
        guard case .text(let hash)? = operation.fields["content_hash"] else {
            return try clearFileRejection(of: operation, in: store)
        }
        let notUploaded = Rejection(
            .fileNotUploaded, "the bytes of file \(hash) were not uploaded whole; upload them before the attachment")
        guard case .some(.some(let size)) = sizes[hash] else { return notUploaded }
        guard try uploaded.contains(hash) || Self.visible(hash, keys: keys, in: store) else { return notUploaded }
        if size > maxFileBytes {
            return Rejection(
                .fileTooLarge, "the file has \(size) bytes; this server accepts files of at most \(maxFileBytes) bytes")
        }
        if let written, written != size {
            return Rejection(.invalidValue, "attachment.size is \(written) but the file has \(size) bytes")
        }
        return try clearFileRejection(of: operation, in: store)
    }

    /// Why an upsert of an attachment is refused for leaving a confidential submission's file
    /// in clear, or nil when it does not (protocol §19).
    ///
    /// When the attachment's parent, as the upsert leaves it, is a confidential submission, its
    /// `file_name` and `media_type` (as the row would hold them) must be sealed texts and the
    /// file its upsert names must start as a sealed file does. The server cannot open either;
    /// it checks the form, so that a client that does not seal is refused instead of leaving
    /// the name in the server's database.
    func clearFileRejection(of operation: SyncOperation, in store: some SyncStoreReader) throws -> Rejection? {
        let existing = try store.state(Self.table, id: operation.row)?.values ?? [:]
        func value(_ column: String) -> FieldValue? { operation.fields[column] ?? existing[column] }
        guard value("parent_table") == .text("submission"), case .text(let parent)? = value("parent_id"),
            try store.state("submission", id: parent)?.values["confidential"] == .bool(true)
        else { return nil }
        for column in ["file_name", "media_type"] {
            if case .text(let text)? = value(column), !SealedText.isSealed(text) {
                return Rejection(
                    .invalidValue,
                    "the \(column) of a confidential submission's file must be sealed to the NHRI's key (protocol §19); update followup, which seals it before it is sent"
                )
            }
        }
        if case .text(let hash)? = operation.fields["content_hash"], !sealed.contains(hash) {
            return Rejection(
                .invalidValue,
                "the file of a confidential submission must be sealed to the NHRI's key (protocol §19): file \(hash) is not; update followup, which seals it before it is uploaded"
            )
        }
        return nil
    }

    /// Whether one of `keys` sees a live attachment naming file `hash`, as the feed files it.
    static func visible(_ hash: String, keys: [String], in store: some SyncStoreReader) throws -> Bool {
        for id in try store.values(of: "id", in: table, where: ["content_hash": hash]) {
            let filing = try store.filing(table, id: id)
            if keys.contains(where: { filing[$0] == true }) { return true }
        }
        return false
    }
}
