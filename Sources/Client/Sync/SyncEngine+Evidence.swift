import Foundation
import Logging
import Shared

extension SyncEngine {
    /// Bytes sent or fetched per request of an upload or download, so a cut costs at most this.
    static let evidenceChunkBytes: Int64 = 4 * 1024 * 1024

    /// Uploads the bytes of every file a pending attachment names, before the attachments are
    /// pushed, resuming each from what the server already holds.
    ///
    /// A file the server refuses (`file_too_large`, `hash_mismatch`) is left out: the push
    /// then brings the attachment's refusal, with its reason, to the rejected list.
    ///
    /// - Returns: how many files the server holds whole now that it lacked before.
    public func uploadEvidence() async throws -> Int {
        var uploaded = 0
        for (hash, size) in try replica.evidenceToUpload() {
            var held = try await transport.fileOffset(hash)
            guard !held.complete else { continue }
            guard let path = try replica.evidencePath(hash), let handle = FileHandle(forReadingAtPath: path) else {
                continue
            }
            defer { try? handle.close() }
            do {
                while !held.complete {
                    try handle.seek(toOffset: UInt64(held.offset))
                    let bytes = try handle.read(upToCount: Int(Self.evidenceChunkBytes)) ?? Data()
                    let sent = try await transport.uploadFile(hash, bytes: bytes, offset: held.offset, length: size)
                    guard sent.offset > held.offset || sent.complete else {
                        throw ReplicaError(.noProgress, "the server took none of the bytes of file \(hash)")
                    }
                    held = sent
                }
                uploaded += 1
            } catch let error as TransportError where [ErrorCode.fileTooLarge, .hashMismatch].contains(error.code) {
                Logger(label: "followup.sync").warning(
                    "files.upload.refused", metadata: ["files.hash": .string(hash), "error": .string(error.message)])
            }
        }
        return uploaded
    }

    /// Downloads the bytes of every file a live attachment of the replica names that it lacks.
    ///
    /// - Returns: files downloaded, and files the server did not give (it does not hold them
    ///   whole, or the attachment has just left this replica's scope).
    public func downloadEvidence() async throws -> (downloaded: Int, unavailable: Int) {
        var downloaded = 0
        var unavailable = 0
        for hash in try replica.missingEvidence() {
            do {
                try await download(hash)
                downloaded += 1
            } catch let error as TransportError where error.code == .notFound {
                unavailable += 1
            } catch let error as ReplicaError where error.code == .invalidFile {
                unavailable += 1
            }
        }
        return (downloaded, unavailable)
    }

    /// Downloads file `hash` into the replica's evidence directory, resuming an unfinished
    /// download, and moves it into place once its bytes hash to `hash` (else `invalid_file`).
    func download(_ hash: String) async throws {
        guard let path = try replica.evidencePath(hash) else { throw Replica.noEvidenceDirectory }
        let partial = path + Replica.partialSuffix
        let handle = try EvidenceFiles.appending(partial)
        var offset = try EvidenceFiles.size(atPath: partial) ?? 0
        var size = Int64.max
        do {
            while offset < size {
                let piece: (bytes: Data, size: Int64)
                do {
                    piece = try await transport.downloadFile(hash, from: offset, count: Self.evidenceChunkBytes)
                } catch let error as TransportError where error.code == .invalidRange {
                    break
                }
                size = piece.size
                if piece.bytes.isEmpty && offset < size {
                    throw ReplicaError(.malformedResponse, "the server sent none of the bytes of file \(hash)")
                }
                try handle.write(contentsOf: piece.bytes)
                try handle.synchronize()
                offset += Int64(piece.bytes.count)
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard try ContentHash.ofFile(atPath: partial).hash == hash else {
            try EvidenceFiles.remove(partial)
            throw ReplicaError(.invalidFile, "the bytes downloaded for file \(hash) do not match its hash")
        }
        try EvidenceFiles.moveIntoPlace(partial, to: path)
    }
}
