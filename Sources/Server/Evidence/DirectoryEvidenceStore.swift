import Foundation
import NIOCore
import NIOFoundationCompat
import RowStorage
import Shared
import Synchronization

/// Evidence files in a directory: `<root>/<first two hex digits>/<hash>` for complete files,
/// `<root>/uploads/<org>/<hash>` for unfinished uploads and `<root>/uploaded/<org>/<hash>`
/// (empty) for the organisations that uploaded a file.
///
/// An upload is written to its own file and synced to disk before it is checked and renamed
/// into place, and the directory is synced after the rename: a crash leaves either the whole
/// checked file or none, never a partial one under its hash.
public final class DirectoryEvidenceStore: EvidenceStore {
    /// The directory (`DATA/files` for `followup-server serve`).
    public let root: String
    /// Uploads running now, by "org/hash": a second one of the same file by the same
    /// organisation is refused rather than interleaved.
    private let running = Mutex<Set<String>>([])

    /// Creates the store, making `root` if it is missing (readable by its owner only).
    public init(root: String) throws {
        self.root = root
        try PrivateFiles.directory(root, closingExisting: true)
    }

    func completePath(_ hash: String) -> String { "\(root)/\(hash.prefix(2))/\(hash)" }
    func uploadPath(_ hash: String, uploader: String) -> String { "\(root)/uploads/\(uploader)/\(hash)" }
    func markerPath(_ hash: String, uploader: String) -> String { "\(root)/uploaded/\(uploader)/\(hash)" }

    public func completeSize(_ hash: String) throws -> Int64? {
        try EvidenceFiles.size(atPath: completePath(hash))
    }

    public func receivedBytes(_ hash: String, uploader: String) throws -> Int64 {
        try EvidenceFiles.size(atPath: uploadPath(hash, uploader: uploader)) ?? 0
    }

    public func append<Chunks: AsyncSequence>(
        _ chunks: Chunks, to hash: String, uploader: String, at offset: Int64, length: Int64
    ) async throws -> Int64 where Chunks.Element == ByteBuffer {
        let key = uploader + "/" + hash
        guard running.withLock({ $0.insert(key).inserted }) else {
            throw ServiceError(.offsetMismatch, "another upload of this file by \(uploader) is running; resume later")
        }
        defer { _ = running.withLock { $0.remove(key) } }
        let path = uploadPath(hash, uploader: uploader)
        let held = try receivedBytes(hash, uploader: uploader)
        guard held == offset else {
            throw ServiceError(
                .offsetMismatch, "the server holds \(held) bytes of this upload, not \(offset); resume from \(held)")
        }
        let handle = try EvidenceFiles.appending(path)
        var size = held
        do {
            for try await chunk in chunks {
                guard size + Int64(chunk.readableBytes) <= length else {
                    throw ServiceError(
                        .malformedRequest, "the upload sends more bytes than its Upload-Length of \(length)")
                }
                try handle.write(contentsOf: chunk.readableBytesView)
                size += Int64(chunk.readableBytes)
            }
        } catch {
            // What arrived stays for a resumed upload, unless the body broke the rules.
            try? handle.synchronize()
            try? handle.close()
            if (error as? ServiceError)?.code == .malformedRequest { try? discard(hash, uploader: uploader) }
            throw error
        }
        try handle.synchronize()
        try handle.close()
        return size
    }

    public func finish(_ hash: String, uploader: String) throws {
        let upload = uploadPath(hash, uploader: uploader)
        guard try ContentHash.ofFile(atPath: upload).hash == hash else {
            try discard(hash, uploader: uploader)
            throw ServiceError(
                .hashMismatch, "the uploaded bytes do not hash to \(hash); they were discarded, upload the file again")
        }
        if try completeSize(hash) == nil {
            try EvidenceFiles.moveIntoPlace(upload, to: completePath(hash))
        } else {
            try discard(hash, uploader: uploader)
        }
        try EvidenceFiles.touch(markerPath(hash, uploader: uploader))
    }

    public func discard(_ hash: String, uploader: String) throws {
        try EvidenceFiles.remove(uploadPath(hash, uploader: uploader))
    }

    public func hasUploaded(_ hash: String, uploader: String) throws -> Bool {
        FileManager.default.fileExists(atPath: markerPath(hash, uploader: uploader))
    }

    public func read(_ hash: String, from offset: Int64, length: Int64) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: completePath(hash)) else {
            throw ServiceError(.notFound, "no such file")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return try handle.read(upToCount: Int(length)) ?? Data()
    }
}
