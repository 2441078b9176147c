import Client
import Foundation
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
