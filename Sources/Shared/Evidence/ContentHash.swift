import Crypto
import Foundation

/// The content hash that names an evidence file: the SHA-256 of its bytes, 64 lower-case hex
/// digits, as `attachment.content_hash` holds it and the file endpoints take it.
public enum ContentHash {
    /// The largest evidence file a server accepts unless its operator sets another limit:
    /// 25 MiB (26 214 400 bytes).
    public static let defaultMaxFileBytes: Int64 = 25 * 1024 * 1024

    /// Whether `text` is a content hash: exactly 64 lower-case hex digits.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The content hash of `bytes`.
    public static func of(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The content hash and size of the file at `path`, read in pieces (never whole in memory).
    public static func ofFile(atPath path: String) throws -> (hash: String, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
            hasher.update(data: piece)
            size += Int64(piece.count)
        }
        return (hex(hasher.finalize()), size)
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// The answer to `PATCH /v1/files/{sha256}`: how many bytes the server now holds of the upload,
/// and whether the file is complete (its SHA-256 checked).
public struct FileUploadResponse: Codable, Sendable, Equatable {
    /// The bytes the server holds of this upload: where the next `PATCH` starts.
    public var offset: Int64
    /// Whether the server holds the whole file, checked against its hash.
    public var complete: Bool

    /// Creates an answer.
    public init(offset: Int64, complete: Bool) {
        self.offset = offset
        self.complete = complete
    }
}
