import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File operations that keep evidence bytes safe across a crash, shared by the server's store
/// and the replica's: a file enters its final place whole, by a rename after it was synced.
///
/// The directories and files it creates are their owner's alone (0700, 0600).
public enum EvidenceFiles {
    /// The size of the file at `path`, or nil when there is none.
    public static func size(atPath path: String) throws -> Int64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Renames the synced file `source` to `destination` (replacing it), creating the
    /// destination's directory if needed, and syncs that directory so the rename survives a crash.
    public static func moveIntoPlace(_ source: String, to destination: String) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard rename(source, destination) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        try synchronizeDirectory(directory)
    }

    /// Creates the empty file `path` (and its directory) and syncs its directory.
    public static func touch(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        try synchronizeDirectory(directory)
    }

    /// Opens `path` for appending, creating it (and its directory) when missing.
    public static func appending(_ path: String) throws -> FileHandle {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        try handle.seekToEnd()
        return handle
    }

    /// Removes the file at `path` if there is one.
    public static func remove(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    /// Syncs a directory's entries to disk.
    static func synchronizeDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
