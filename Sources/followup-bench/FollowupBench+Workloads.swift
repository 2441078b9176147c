import Client
import Foundation
import GRDB
import RowStorage
import Shared

/// The workloads that need several organisations or replicas, each on a fresh server.
extension FollowupBench {
    /// The operator commands of a fresh data directory, run as processes.
    struct Setup {
        let server: String
        let data: String
        let log: String

        func run(_ arguments: [String], input: String? = nil) throws {
            let usage = try runMeasured(server, ["admin", "--data", data] + arguments, input: input, log: log)
            guard usage.status == 0 else { throw BenchFailure("admin \(arguments.joined(separator: " ")) failed") }
        }

        func organisation(_ id: String, kind: String) throws {
            try run(["add-org", "--id", id, "--name", id.uppercased(), "--kind", kind])
        }

        func user(_ name: String, org: String) throws {
            try run(
                ["add-user", "--org", org, "--user", name, "--password-stdin", "--bcrypt-cost", "4"],
                input: "\(name)-password")
        }
    }

    /// A replica in memory, signed in over HTTP, with its engine.
    static func memoryReplica(url: String, user: String) async throws -> SyncEngine {
        let login = try await HTTPSyncTransport(baseURL: url, token: nil).login(
            LoginRequest(user: user, password: "\(user)-password"))
        let replica = try Replica(writer: DatabaseQueue())
        try replica.initialise(serverURL: url, login: login)
        return SyncEngine(replica: replica, transport: HTTPSyncTransport(baseURL: url, token: login.token))
    }

    /// Scoped pull: a database of `count` draft actions over 20 recommendations, one of which
    /// is assigned to a ministry, so the ministry may see 5% of them; its fresh replica pulls.
    static func scopedPull(count: Int, bin: String, work: String) async throws -> BenchResult {
        let setup = Setup(server: bin + "/followup-server", data: work + "/scoped-server", log: work + "/commands.log")
        try setup.organisation("nmirf", kind: "secretariat")
        try setup.organisation("moj", kind: "ministry")
        try setup.user("writer", org: "nmirf")
        try setup.user("minister", org: "moj")
        let running = try ServerUnderTest(
            binary: setup.server, data: setup.data, log: work + "/server-scoped-setup.log")
        let writer = try await memoryReplica(url: running.url, user: "writer")
        _ = try await writer.pull()
        let ministry = try requireRow(
            writer.replica.rows("institution").first { $0.values["org_id"] == .text("moj") },
            "the ministry's institution")
        let recommendations = try writer.replica.put(
            (0..<20).map { RowEdit(table: "recommendation", fields: ["text": .text("Recommendation \($0)")]) })
        _ = try writer.replica.put(
            "assignment",
            fields: [
                "recommendation_id": .text(recommendations[0]), "institution_id": .text(ministry.id),
                "role": .text("lead"),
            ])
        for chunk in stride(from: 0, to: count, by: 5_000) {
            _ = try writer.replica.put(
                (chunk..<min(chunk + 5_000, count)).map { index in
                    RowEdit(
                        table: "action",
                        fields: [
                            "title": .text("Action \(index): review the law on pre-trial detention and report"),
                            "description": .text(
                                "Draft amendments, consult the bar association and the NHRI, and table the bill."),
                            "recommendation_id": .text(recommendations[index % 20]),
                        ])
                })
            _ = try await writer.push()
        }
        running.stop()

        let pulling = try ServerUnderTest(binary: setup.server, data: setup.data, log: work + "/server-scoped.log")
        let directory = work + "/ministry"
        _ = try runMeasured(
            bin + "/followup",
            ["--replica", directory, "init", "--server", pulling.url, "--user", "minister", "--password-stdin"],
            input: "minister-password", log: setup.log)
        let pull = try runMeasured(bin + "/followup", ["--replica", directory, "sync"], log: setup.log)
        let visible = try Replica(directory: directory).rows("action").count
        let server = Double(pulling.peakRSSKiB()) / 1024
        pulling.stop()
        guard pull.status == 0, visible == count / 20 else {
            throw BenchFailure("the ministry pulled \(visible) actions, not \(count / 20)")
        }
        return BenchResult(
            workload: "scoped_pull", operations: visible, seconds: pull.seconds,
            opsPerSecond: Double(visible) / pull.seconds, clientPeakRSSMiB: Double(pull.maxRSSKiB) / 1024,
            serverPeakRSSMiB: server, note: "\(visible) of \(count) actions visible (5%)")
    }

    /// Concurrency: `replicas` ministries, each with one replica, work at once: each pushes 100
    /// draft actions on the recommendation assigned to it, then pulls, `rounds` times.
    ///
    /// Each replica's scope is its own actions and the public rows, as in a real deployment.
    /// - Returns: the aggregate figure, with the p50 and p99 latency of a 100-operation push.
    static func concurrency(replicas: Int, rounds: Int, bin: String, work: String) async throws -> BenchResult {
        let setup = Setup(
            server: bin + "/followup-server", data: work + "/concurrent-\(replicas)", log: work + "/commands.log")
        try setup.organisation("nmirf", kind: "secretariat")
        try setup.user("secretary", org: "nmirf")
        for index in 0..<replicas {
            try setup.organisation("ministry\(index)", kind: "ministry")
            try setup.user("clerk\(index)", org: "ministry\(index)")
        }
        let running = try ServerUnderTest(
            binary: setup.server, data: setup.data, log: work + "/server-concurrent-\(replicas).log")
        defer { running.stop() }
        // The secretariat gives each ministry a recommendation of its own.
        let secretariat = try await memoryReplica(url: running.url, user: "secretary")
        _ = try await secretariat.pull()
        var assigned: [String] = []
        for index in 0..<replicas {
            let institution = try requireRow(
                secretariat.replica.rows("institution").first { $0.values["org_id"] == .text("ministry\(index)") },
                "ministry\(index)'s institution")
            let recommendation = try secretariat.replica.put(
                "recommendation", fields: ["text": .text("Recommendation for ministry \(index)")])
            _ = try secretariat.replica.put(
                "assignment",
                fields: [
                    "recommendation_id": .text(recommendation), "institution_id": .text(institution.id),
                    "role": .text("lead"),
                ])
            assigned.append(recommendation)
        }
        _ = try await secretariat.push()
        var engines: [SyncEngine] = []
        for index in 0..<replicas {
            let engine = try await memoryReplica(url: running.url, user: "clerk\(index)")
            _ = try await engine.pull()
            engines.append(engine)
        }
        let start = DispatchTime.now()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, engine) in engines.enumerated() {
                let recommendation = assigned[index]
                group.addTask {
                    var measured: [Double] = []
                    for round in 0..<rounds {
                        _ = try engine.replica.put(
                            (0..<100).map {
                                RowEdit(
                                    table: "action",
                                    fields: [
                                        "title": .text("Ministry \(index), round \(round), action \($0)"),
                                        "recommendation_id": .text(recommendation),
                                    ])
                            })
                        let pushStart = DispatchTime.now()
                        let report = try await engine.push()
                        measured.append(seconds(since: pushStart))
                        guard report.accepted == 100 else { throw BenchFailure("a push was not accepted whole") }
                        _ = try await engine.pull()
                    }
                    return measured
                }
            }
            var all: [Double] = []
            for try await measured in group { all += measured }
            return all.sorted()
        }
        let elapsed = seconds(since: start)
        let pushed = replicas * rounds * 100
        func percentile(_ fraction: Double) -> Double {
            latencies[min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)]
        }
        return BenchResult(
            workload: "concurrent_\(replicas)", operations: pushed, seconds: elapsed,
            opsPerSecond: Double(pushed) / elapsed, serverPeakRSSMiB: Double(running.peakRSSKiB()) / 1024,
            note: String(
                format: "%d ministries x %d rounds of push 100 + pull; push latency p50 %.0f ms, p99 %.0f ms",
                replicas, rounds, percentile(0.5) * 1000, percentile(0.99) * 1000))
    }
}

/// The row, or a failure naming what was missing.
func requireRow<T>(_ value: T?, _ what: String = "a row") throws -> T {
    guard let value else { throw BenchFailure("missing \(what)") }
    return value
}
