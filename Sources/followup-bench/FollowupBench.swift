import ArgumentParser
import Client
import Foundation
import Shared

/// One measured figure of a run.
struct BenchResult: Codable {
    /// What was measured: `followup`, `kinto` or `sqlite` (the machine's limit).
    var system = "followup"
    /// The workload (`push`, `initial_pull`, `delta_pull`, `sqlite_limit`, …).
    var workload: String
    /// Operations (or changed rows) it handled.
    var operations: Int
    /// Wall-clock seconds.
    var seconds: Double
    /// Operations per second.
    var opsPerSecond: Double
    /// The client process's peak resident set size, MiB, when measured.
    var clientPeakRSSMiB: Double?
    /// The server process's peak resident set size, MiB, when measured.
    var serverPeakRSSMiB: Double?
    /// Bytes on the wire at the HTTP level (headers and bodies as sent), when measured.
    var bytesOnWire: Int?
    /// What else the figure means (latencies, scope).
    var note: String?

    enum CodingKeys: String, CodingKey {
        case system, workload, operations, seconds, note
        case bytesOnWire = "bytes_on_wire"
        case opsPerSecond = "ops_per_second"
        case clientPeakRSSMiB = "client_peak_rss_mib"
        case serverPeakRSSMiB = "server_peak_rss_mib"
    }
}

/// One synthetic recommendation of about 300 bytes of fields.
struct RecommendationRow {
    var id: String
    var text: String
    var documentSymbol = "A/HRC/40/6"
    var paragraph: String
    var session: Int64 = 33
    var position = "supported"

    /// The fields as the replica stores them.
    var fields: [String: FieldValue] {
        [
            "text": .text(text), "document_symbol": .text(documentSymbol), "paragraph": .text(paragraph),
            "session": .integer(session), "position": .text(position),
        ]
    }

    /// The fields as JSON (for the SQLite limit's log).
    var json: String {
        String(decoding: (try? WireCoding.encoder().encode(fields)) ?? Data(), as: UTF8.self)
    }

    static func make(count: Int) -> [RecommendationRow] {
        (0..<count).map { index in
            RecommendationRow(
                id: UUIDv7.make(),
                text:
                    "Recommendation \(index): take effective measures to guarantee the independence of the judiciary, ensure fair trial guarantees and access to legal aid, and investigate allegations of torture in detention promptly.",
                paragraph: "28.\(index)")
        }
    }
}

/// The benchmark program: Followup's sync through a real server on loopback, and the SQLite limit.
///
/// `scripts/bench` builds it in release mode and runs it.
@main
struct FollowupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup-bench",
        abstract: "Measure push and pull through a real followup-server, and the machine's SQLite limit.")

    @Flag(help: "Run the smallest size only (10,000 operations).") var quick = false
    @Option(help: "Sizes in operations, comma-separated.") var sizes = "10000,100000,1000000"
    @Option(help: "Where to write the JSON results.") var json = "bench-results.json"
    @Option(help: "The directory holding followup and followup-server (default: this program's).") var binDir: String?
    @Option(help: "Kinto's URL (scripts/kinto-peer starts one); without it Kinto is not measured.") var kintoURL:
        String?
    @Option(help: "The Kinto server's process id, for its peak RSS.") var kintoPID: Int?
    @Option(help: "The script that runs the workloads against Kinto.") var kintoDriver = "scripts/bench-kinto.py"
    @Option(help: "Sizes at which Kinto is measured, comma-separated (default: the smallest size).")
    var kintoSizes: String?
    @Option(help: "A folder of UPR Info CSV exports to import (the workload is skipped when it is missing).")
    var uprInfo = "../shared/data/upr-info-2015"
    @Option(help: "Records of the generated UHRI JSON export (about 1.5 KB each) for the UHRI import.")
    var uhriRecords = 200_000
    @Flag(help: "Run the UHRI import workload alone.") var uhriOnly = false
    @Flag(help: "Run the desk render workload alone (the UPR Info files imported, each page fetched).")
    var deskOnly = false
    @Option(help: "Requests per page in the desk render workload.") var deskRequests = 100
    @Flag(help: "Run the public portal workload alone (a seeded server, concurrent visitors).") var portalOnly = false
    @Option(help: "Published rows the portal's server holds.") var portalRows = 100_000
    @Option(help: "Concurrent visitors of the portal.") var portalVisitors = 50
    @Option(help: "Seconds the portal's visitors keep requesting pages.") var portalSeconds = 60.0

    mutating func run() async throws {
        let bin = binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let counts = quick ? [10_000] : sizes.split(separator: ",").compactMap { Int($0) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "followup-bench-\(UUID().uuidString.prefix(8))"
        ).path
        var results: [(size: Int, result: BenchResult)] = []
        if deskOnly || uhriOnly || portalOnly {
            // One workload alone, its results written as the whole report.
            let alone =
                deskOnly
                ? try await Self.measureDesk(folder: uprInfo, bin: bin, work: work + "/desk", requests: deskRequests)
                : portalOnly
                    ? try await measurePortal(work: work + "/portal")
                    : try await Self.importUHRI(records: uhriRecords, bin: bin, work: work + "/uhri")
            for result in alone {
                print(Self.line(result), terminator: "\n")
                if deskOnly || portalOnly { print("          " + (result.note ?? "")) }
            }
            let report = BenchReport(
                date: ISO8601DateFormatter().string(from: Date()), machine: Self.machine(), results: alone)
            try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: json))
            return
        }
        for count in counts {
            for result in try await Self.measure(count: count, bin: bin, work: work + "/\(count)") {
                results.append((count, result))
                print(Self.line(result), terminator: "\n")
            }
        }
        for result in try await Self.measureConcurrency(bin: bin, work: work + "/concurrency") {
            results.append((0, result))
            print(Self.line(result), terminator: "\n")
        }
        if !quick {
            for result in try await Self.importUPRInfo(folder: uprInfo, bin: bin, work: work + "/import") {
                results.append((0, result))
                print(Self.line(result), terminator: "\n")
            }
            for result in try await Self.importUHRI(records: uhriRecords, bin: bin, work: work + "/uhri") {
                results.append((0, result))
                print(Self.line(result), terminator: "\n")
            }
            for result in try await measurePortal(work: work + "/portal") {
                results.append((0, result))
                print(Self.line(result), terminator: "\n")
            }
        }
        if let kintoURL {
            let kintoCounts = kintoSizes.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [counts.min() ?? 0]
            for (index, count) in kintoCounts.enumerated() {
                let last = index == kintoCounts.count - 1
                for result in try Self.kinto(
                    url: kintoURL, pid: kintoPID, driver: kintoDriver, size: count, concurrency: last && !quick)
                {
                    results.append((result.workload.hasPrefix("concurrent") ? 0 : count, result))
                    print(Self.line(result), terminator: "\n")
                }
            }
        }
        print("\n" + Self.comparison(results).joined(separator: "\n"))
        let report = BenchReport(
            date: ISO8601DateFormatter().string(from: Date()), machine: Self.machine(), results: results.map(\.result))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        print("results written to \(json); work files in \(work)")
    }

    /// The portal workload with this run's options.
    func measurePortal(work: String) async throws -> [BenchResult] {
        let bin = binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        return try await Self.measurePortal(
            rows: portalRows, visitors: portalVisitors, seconds: portalSeconds, bin: bin, work: work)
    }

    /// Every workload at one size, on a fresh server.
    static func measure(count: Int, bin: String, work: String) async throws -> [BenchResult] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let data = work + "/server"
        let log = work + "/commands.log"
        let server = bin + "/followup-server"
        let followup = bin + "/followup"
        func run(_ path: String, _ arguments: [String], input: String? = nil) throws -> ChildUsage {
            let usage = try runMeasured(path, arguments, input: input, log: log)
            guard usage.status == 0 else {
                throw BenchFailure("\(path) \(arguments.joined(separator: " ")) failed (\(usage.status)); see \(log)")
            }
            return usage
        }
        _ = try run(
            server, ["admin", "--data", data, "add-org", "--id", "nmirf", "--name", "NMIRF", "--kind", "secretariat"])
        for user in ["writer", "reader"] {
            _ = try run(
                server,
                [
                    "admin", "--data", data, "add-user", "--org", "nmirf", "--user", user, "--password-stdin",
                    "--bcrypt-cost", "4",
                ],
                input: "\(user)-password")
        }
        var results: [BenchResult] = []
        let rows = RecommendationRow.make(count: count)

        // 1. Push: one replica pushes N new rows in its default batches.
        var running = try ServerUnderTest(binary: server, data: data, log: work + "/server-push.log")
        let writerDirectory = work + "/writer"
        _ = try run(
            followup,
            ["--replica", writerDirectory, "init", "--server", running.url, "--user", "writer", "--password-stdin"],
            input: "writer-password")
        let writer = try Replica(directory: writerDirectory)
        for chunk in stride(from: 0, to: rows.count, by: 5_000) {
            _ = try writer.put(
                rows[chunk..<min(chunk + 5_000, rows.count)].map {
                    RowEdit(table: "recommendation", id: $0.id, fields: $0.fields)
                })
        }
        let engine = SyncEngine(
            replica: writer,
            transport: HTTPSyncTransport(baseURL: running.url, token: try writer.settings().token))
        let pushStart = DispatchTime.now()
        let pushed = try await engine.push()
        let pushSeconds = seconds(since: pushStart)
        guard pushed.accepted == count else { throw BenchFailure("push accepted \(pushed.accepted) of \(count)") }
        results.append(
            BenchResult(
                workload: "push", operations: count, seconds: pushSeconds, opsPerSecond: Double(count) / pushSeconds,
                serverPeakRSSMiB: Double(running.peakRSSKiB()) / 1024))
        running.stop()

        // 2. Initial pull: a fresh replica (a separate `followup sync` process) pulls everything.
        running = try ServerUnderTest(binary: server, data: data, log: work + "/server-pull.log")
        let readerDirectory = work + "/reader"
        _ = try run(
            followup,
            ["--replica", readerDirectory, "init", "--server", running.url, "--user", "reader", "--password-stdin"],
            input: "reader-password")
        let pull = try run(followup, ["--replica", readerDirectory, "sync"])
        results.append(
            BenchResult(
                workload: "initial_pull", operations: count, seconds: pull.seconds,
                opsPerSecond: Double(count) / pull.seconds, clientPeakRSSMiB: Double(pull.maxRSSKiB) / 1024,
                serverPeakRSSMiB: Double(running.peakRSSKiB()) / 1024))

        // 3. Delta pull: 10% of the rows change one field; the reader pulls the changes.
        let changed = rows.prefix(count / 10)
        _ = try writer.put(
            changed.map {
                RowEdit(table: "recommendation", id: $0.id, fields: ["paragraph": .text($0.paragraph + "bis")])
            })
        let catchUp = SyncEngine(
            replica: writer, transport: HTTPSyncTransport(baseURL: running.url, token: try writer.settings().token))
        _ = try await catchUp.push()
        let summaryPath = work + "/delta-sync.json"
        let delta = try runMeasured(
            followup, ["--replica", readerDirectory, "sync", "--json"], log: log, output: summaryPath)
        guard delta.status == 0 else { throw BenchFailure("the delta pull failed; see \(log)") }
        let summary = try JSONDecoder().decode(
            DeltaSummary.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        guard summary.pulled == changed.count else {
            throw BenchFailure("the delta pull brought \(summary.pulled) rows, not \(changed.count)")
        }
        let changedBytes = changed.reduce(0) { $0 + ($1.paragraph + "bis").utf8.count }
        results.append(
            BenchResult(
                workload: "delta_pull", operations: changed.count, seconds: delta.seconds,
                opsPerSecond: Double(changed.count) / delta.seconds, clientPeakRSSMiB: Double(delta.maxRSSKiB) / 1024,
                bytesOnWire: summary.bytesSent + summary.bytesReceived,
                note: String(
                    format: "%.0f bytes per changed row on the wire; %.1fx the changed values' %d bytes",
                    Double(summary.bytesSent + summary.bytesReceived) / Double(changed.count),
                    Double(summary.bytesSent + summary.bytesReceived) / Double(changedBytes), changedBytes)))
        running.stop()

        // 4. The machine's limit for the same operations.
        let limit = try SQLiteLimit.run(rows: rows, batch: engine.pushBatchSize, directory: work)
        results.append(
            BenchResult(
                system: "sqlite", workload: "sqlite_limit", operations: count, seconds: Double(count) / limit,
                opsPerSecond: limit))

        // 5. A ministry that may see 5% of the rows pulls its share.
        results.append(try await scopedPull(count: count, bin: bin, work: work))
        return results
    }

    /// The concurrency workloads, once per run: 4 and 32 replicas at once.
    static func measureConcurrency(bin: String, work: String) async throws -> [BenchResult] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        return [
            try await concurrency(replicas: 4, rounds: 20, bin: bin, work: work),
            try await concurrency(replicas: 32, rounds: 5, bin: bin, work: work),
        ]
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func line(_ result: BenchResult) -> String {
        func mib(_ value: Double?) -> String { value.map { String(format: "%.0f MiB", $0) } ?? "-" }
        return result.system.padding(toLength: 9, withPad: " ", startingAt: 0)
            + result.workload.padding(toLength: 15, withPad: " ", startingAt: 0)
            + String(
                format: "%9d ops %8.2f s %10.0f ops/s  client %@  server %@", result.operations, result.seconds,
                result.opsPerSecond, mib(result.clientPeakRSSMiB) as NSString,
                mib(result.serverPeakRSSMiB) as NSString) + (result.note.map { "  (\($0))" } ?? "")
    }

    static func machine() -> String {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "Linux \(release) \(machine), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + String(format: "%.0f GiB", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)
    }
}

/// What `followup sync --json` prints, as far as the delta pull needs it.
struct DeltaSummary: Decodable {
    var pulled: Int
    var bytesSent: Int
    var bytesReceived: Int

    enum CodingKeys: String, CodingKey {
        case pulled
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}

/// The JSON results file.
struct BenchReport: Codable {
    var date: String
    var machine: String
    var results: [BenchResult]
}
