import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Files only their owner may read: the server's data and every replica hold other
/// organisations' rows, and a replica holds its bearer token.
public enum PrivateFiles {
    /// Creates `path` (with its parents) when missing, the owner's alone (0700).
    ///
    /// A directory that exists keeps its mode: it may be one the user shares on purpose (the
    /// files inside are private all the same).
    /// - Parameter closingExisting: make an existing directory the owner's alone too (the
    ///   server's data directories, which nobody shares on purpose).
    public static func directory(_ path: String, closingExisting: Bool = false) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            if closingExisting { try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path) }
            return
        }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
    }

    /// Makes the SQLite database at `path` the owner's alone (0600), creating it empty when
    /// missing, with its `-wal` and `-shm` files when they exist.
    ///
    /// SQLite gives the files it creates beside a database the database file's mode, so a
    /// database created 0600 keeps its journal private too.
    public static func database(_ path: String) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        for file in [path, path + "-wal", path + "-shm"] where manager.fileExists(atPath: file) {
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    /// The bytes of the secret file at `path`, made the owner's alone (0600); when missing, it
    /// is created with `make()`'s bytes, readable by nobody else from its first byte.
    public static func secret(_ path: String, make: () -> Data) throws -> Data {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor >= 0 {
                let bytes = make()
                let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                let synced = fsync(descriptor)
                close(descriptor)
                guard written == bytes.count, synced == 0 else {
                    try? manager.removeItem(atPath: path)
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
        }
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        guard let bytes = manager.contents(atPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        return bytes
    }
}
