import Client
import Foundation
import NIOCore
import Server
import Shared
import TestSupport
import Testing

/// The server's data and every replica's files are their owner's alone.
@Suite("File permissions")
struct FilePermissionTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("the server's data directory and database files are created readable by their owner only")
    func serverData() async throws {
        let data = try temporaryDirectory("server-modes") + "/data"
        let storage = try SQLiteServerStorage(dataDirectory: data, policy: .standard, clock: SystemWallClock())
        try await storage.addOrganisation(id: "nmirf", name: "Secretariat", kind: .secretariat)
        #expect(try Self.mode(data) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: data)
        #expect(files.contains(SQLiteServerStorage.fileName))
        for file in files {
            #expect(try Self.mode(data + "/" + file) & 0o077 == 0, "\(file) is readable by others")
        }
    }

    @Test("a data directory left 0755 with a 0644 database is closed up when the server opens it")
    func preExistingServerData() async throws {
        let data = try temporaryDirectory("server-modes-old") + "/data"
        try FileManager.default.createDirectory(
            atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let database = data + "/" + SQLiteServerStorage.fileName
        FileManager.default.createFile(atPath: database, contents: nil, attributes: [.posixPermissions: 0o644])
        try FileManager.default.createDirectory(
            atPath: data + "/files", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // The control: the modes are open before the server opens the directory.
        #expect(try Self.mode(data) == 0o755)
        #expect(try Self.mode(database) == 0o644)
        #expect(try Self.mode(data + "/files") == 0o755)

        let storage = try SQLiteServerStorage(dataDirectory: data, policy: .standard, clock: SystemWallClock())
        try await storage.addOrganisation(id: "nmirf", name: "Secretariat", kind: .secretariat)
        _ = try DirectoryEvidenceStore(root: data + "/files")
        #expect(try Self.mode(data) == 0o700)
        #expect(try Self.mode(data + "/files") == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: data) {
            #expect(try Self.mode(data + "/" + file) & 0o077 == 0, "\(file) is open to others")
        }
    }

    @Test("evidence files, finished and unfinished, and their directories are the server owner's alone")
    func evidenceFiles() async throws {
        let root = try temporaryDirectory("evidence-modes") + "/files"
        let store = try DirectoryEvidenceStore(root: root)
        func upload(_ bytes: Data, finish: Bool) async throws {
            let hash = ContentHash.of(bytes)
            let chunks = AsyncStream<ByteBuffer> { continuation in
                continuation.yield(ByteBuffer(bytes: bytes))
                continuation.finish()
            }
            _ = try await store.append(chunks, to: hash, uploader: "ngo", at: 0, length: Int64(bytes.count) + 10)
            if finish { try store.finish(hash, uploader: "ngo") }
        }
        try await upload(Data("A photograph of the cell".utf8), finish: true)
        try await upload(Data("Half a statement".utf8), finish: false)
        let paths = try #require(FileManager.default.enumerator(atPath: root)?.allObjects as? [String])
        var directories = 0
        var files = 0
        for relative in paths {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory))
            let mode = try Self.mode(root + "/" + relative)
            if isDirectory.boolValue {
                directories += 1
                #expect(mode == 0o700, "\(relative) is \(String(mode, radix: 8))")
            } else {
                files += 1
                #expect(mode & 0o077 == 0, "\(relative) is \(String(mode, radix: 8))")
            }
        }
        // The finished file, its marker and the unfinished upload, in their own directories.
        #expect(files == 3)
        #expect(directories >= 4)
    }

    @Test(
        "a replica's directory and files, token included, are its user's alone; an old replica is closed up when opened"
    )
    func replicaFiles() async throws {
        let server = try await InProcessServer()
        let directory = try temporaryDirectory("replica-modes") + "/replica"
        let (replica, _) = try await server.replicaOnDisk(user: "sara", org: "nmirf", directory: directory)
        _ = replica
        #expect(try Self.mode(directory) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!files.isEmpty)
        for file in files {
            #expect(try Self.mode(directory + "/" + file) & 0o077 == 0, "\(file) is readable by others")
        }
        let database = directory + "/" + Replica.fileName
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database)
        _ = try Replica(directory: directory)
        #expect(try Self.mode(database) == 0o600)
    }
}
