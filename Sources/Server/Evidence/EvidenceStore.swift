import Foundation
import NIOCore
import Shared

/// Where the server keeps the bytes of evidence files, by content hash: the storage seam of
/// `EvidenceService` (a directory now; PostgreSQL large objects or an object store later).
///
/// A file becomes complete only once its bytes hash to its name. Until then each organisation
/// uploads into its own unfinished copy, so no organisation learns of another's upload.
/// Hashes given to a store are valid (`ContentHash.isValid`) and uploaders are organisation
/// ids; the service checks both before calling.
public protocol EvidenceStore: Sendable {
    /// The size of the complete file named `hash`, or nil when the store does not hold it whole.
    func completeSize(_ hash: String) throws -> Int64?
    /// The bytes held of `uploader`'s unfinished upload of `hash` (0 when there is none).
    func receivedBytes(_ hash: String, uploader: String) throws -> Int64
    /// Appends `chunks` to `uploader`'s unfinished upload of `hash`, which must hold exactly
    /// `offset` bytes (else `offset_mismatch`), never letting it grow past `length` bytes.
    ///
    /// What arrived is durable when it returns or throws, so a cut upload resumes from there.
    ///
    /// - Returns: the bytes held afterwards.
    func append<Chunks: AsyncSequence>(
        _ chunks: Chunks, to hash: String, uploader: String, at offset: Int64, length: Int64
    ) async throws -> Int64 where Chunks.Element == ByteBuffer
    /// Makes `uploader`'s unfinished upload the complete file `hash` when its bytes hash to
    /// `hash`, and remembers that `uploader` uploaded it; otherwise discards the upload and
    /// throws `hash_mismatch`.
    func finish(_ hash: String, uploader: String) throws
    /// Discards `uploader`'s unfinished upload of `hash`.
    func discard(_ hash: String, uploader: String) throws
    /// Whether `uploader` has uploaded the complete file `hash`.
    func hasUploaded(_ hash: String, uploader: String) throws -> Bool
    /// `length` bytes of the complete file `hash` from `offset`.
    func read(_ hash: String, from offset: Int64, length: Int64) throws -> Data
}
