import Client
import Foundation
import GRDB
import RowStorage
import Server
import Shared
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Crash safety with real processes", .serialized)
struct CrashSafetyTests {
    static let total = 20_000

    @Test("a server killed mid-push loses no acknowledged operation; a client killed mid-pull resumes")
    func killServerAndClient() async throws {
        let data = try temporaryDirectory("crash")
        let serverData = data + "/server"
        for arguments in [
            [
                "admin", "--data", serverData, "add-org", "--id", "nmirf", "--name", "Secretariat", "--kind",
                "secretariat",
            ],
            ["admin", "--data", serverData, "add-org", "--id", "moj", "--name", "Justice", "--kind", "ministry"],
        ] {
            #expect(try Executables.run("followup-server", arguments).status == 0)
        }
        for (user, org) in [("sara", "nmirf"), ("malik", "moj")] {
            let added = try Executables.run(
                "followup-server",
                [
                    "admin", "--data", serverData, "add-user", "--org", org, "--user", user, "--password-stdin",
                    "--bcrypt-cost", "4",
                ],
                input: "\(user)-password")
            #expect(added.status == 0)
        }
        var server = try await ServerProcess.start(data: serverData)
        defer { server.stop() }
        // The operator's reference rows (mechanisms, institutions) open the log.
        let operatorOps = try await SQLiteServerStorage(
            dataDirectory: serverData, policy: .standard, clock: SystemWallClock()
        ).operationCount()

        // A replica with 20,000 pending operations.
        let writer = try await Replica.enrol(
            directory: data + "/writer", serverURL: server.url, user: "sara", password: "sara-password")
        _ = try writer.put(
            "recommendation",
            rows: (0..<Self.total).map { (nil, ["text": .text("Recommendation \($0): guarantee fair trial rights")]) })
        let allIDs = Set(try writer.pendingOperations(limit: Self.total).map(\.id))
        #expect(allIDs.count == Self.total)

        // Push in batches of 1,000; SIGKILL the server while the sixth push is in flight.
        let token = try #require(try writer.settings().token)
        var acknowledged: Set<String> = []
        var transport = HTTPSyncTransport(baseURL: server.url, token: token)
        var pushes = 0
        pushing: while true {
            let batch = try writer.pendingOperations(limit: 1_000)
            guard !batch.isEmpty else { break }
            pushes += 1
            if pushes == 6 {
                let pid = server.process.processIdentifier
                Task.detached {
                    try? await Task.sleep(for: .milliseconds(15))
                    kill(pid, SIGKILL)
                }
            }
            do {
                let response = try await transport.push(PushRequest(ops: batch))
                _ = try writer.record(response.verdicts)
                acknowledged.formUnion(response.verdicts.filter { $0.status == .accepted }.map(\.op))
            } catch {
                break pushing
            }
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 5_000)
        #expect(acknowledged.count < Self.total)

        // Every acknowledged operation survived the crash.
        let storage = try SQLiteServerStorage(dataDirectory: serverData, policy: .standard, clock: SystemWallClock())
        let stored = try await Self.operationIDs(storage)
        #expect(acknowledged.isSubset(of: stored))
        #expect(stored.count == (try await storage.operationCount()))

        // Restart; the retry (including the batch cut by the crash) adds no duplicate.
        server = try await ServerProcess.start(data: serverData)
        transport = HTTPSyncTransport(baseURL: server.url, token: token)
        _ = try await SyncEngine(replica: writer, transport: transport).sync()
        #expect(try await storage.operationCount() == operatorOps + Self.total)
        #expect(try await Self.operationIDs(storage).count == operatorOps + Self.total)
        #expect(try await Self.operationIDs(storage).isSuperset(of: allIDs))
        #expect(try writer.status().pending == 0)
        #expect(try writer.digest() == (try await storage.digest()))

        // A fresh replica's `followup sync` process is killed mid-pull, then resumes.
        let readerDirectory = data + "/reader"
        _ = try await Replica.enrol(
            directory: readerDirectory, serverURL: server.url, user: "malik", password: "malik-password")
        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: Executables.path("followup"))
        sync.arguments = ["--replica", readerDirectory, "sync", "--pull-page-size", "100"]
        sync.standardOutput = FileHandle.nullDevice
        sync.standardError = FileHandle.nullDevice
        try sync.run()
        let reader = try DatabaseQueue(
            path: readerDirectory + "/" + Replica.fileName,
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        var cursorAtKill: Int64 = 0
        while sync.isRunning {
            cursorAtKill = try await reader.read {
                try Int64.fetchOne($0, sql: "SELECT cursor FROM replica_settings") ?? 0
            }
            if cursorAtKill >= 2_000 {
                kill(sync.processIdentifier, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        sync.waitUntilExit()
        #expect(sync.terminationReason == .uncaughtSignal, "the sync finished before it could be interrupted")

        // The cut replica is consistent: exactly the rows of the pages its cursor covers.
        let (cursor, rows) = try await reader.read { db in
            (
                try Int64.fetchOne(db, sql: "SELECT cursor FROM replica_settings") ?? -1,
                try Int64.fetchOne(db, sql: "SELECT count(*) FROM recommendation") ?? -1
            )
        }
        #expect(cursor >= cursorAtKill)
        #expect(cursor < Int64(operatorOps + Self.total))
        #expect(rows == cursor - Int64(operatorOps))

        let resumed = try Executables.run("followup", ["--replica", readerDirectory, "sync"])
        #expect(resumed.status == 0)
        let status = try Replica(directory: readerDirectory).status()
        #expect(status.cursor == Int64(operatorOps + Self.total))
        #expect(try Replica(directory: readerDirectory).digest() == (try await storage.digest()))
    }

    static func operationIDs(_ storage: SQLiteServerStorage) async throws -> Set<String> {
        var ids: Set<String> = []
        var cursor: Int64 = 0
        while true {
            let page = try await storage.operations(after: cursor, limit: 5_000)
            ids.formUnion(page.operations.map(\.id))
            cursor = page.cursor
            if !page.more { return ids }
        }
    }
}
