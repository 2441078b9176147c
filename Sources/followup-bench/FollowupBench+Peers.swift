import Foundation

/// A real server with one secretariat user, and that user's replica signed in and synced once
/// (the UN's mechanisms come from the server): where the import workloads run.
struct Importer {
    let setup: FollowupBench.Setup
    let running: ServerUnderTest
    let followup: String
    let replica: String

    /// Starts the server in `work` and signs the replica in.
    init(bin: String, work: String) throws {
        setup = FollowupBench.Setup(
            server: bin + "/followup-server", data: work + "/server", log: work + "/commands.log")
        try setup.organisation("nmirf", kind: "secretariat")
        try setup.user("importer", org: "nmirf")
        running = try ServerUnderTest(binary: setup.server, data: setup.data, log: work + "/server.log")
        followup = bin + "/followup"
        replica = work + "/importer"
        _ = try run(
            ["init", "--server", running.url, "--user", "importer", "--password-stdin"], input: "importer-password")
        _ = try run(["sync"])
    }

    /// Runs `followup --replica REPLICA ARGUMENTS`, measured; fails unless it exits 0.
    func run(_ arguments: [String], input: String? = nil, output: String? = nil) throws -> ChildUsage {
        let usage = try runMeasured(
            followup, ["--replica", replica] + arguments, input: input, log: setup.log, output: output)
        guard usage.status == 0 else {
            throw BenchFailure("followup \(arguments.joined(separator: " ")) failed; see \(setup.log)")
        }
        return usage
    }

    /// Stops the server.
    func stop() { running.stop() }
}

/// The workloads measured beside Followup's own: the UPR Info import and Kinto.
extension FollowupBench {
    /// The UPR Info CSV files in `folder`, by name.
    static func uprInfoFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
    }

    /// Imports the UPR Info exports in `folder` into a secretariat replica with `followup import`
    /// processes, then pushes them with `followup sync`; nothing when the folder is missing.
    static func importUPRInfo(folder: String, bin: String, work: String) async throws -> [BenchResult] {
        let files = uprInfoFiles(folder)
        guard !files.isEmpty else {
            print("import: skipped, no UPR Info CSV files in \(folder)")
            return []
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let importer = try Importer(bin: bin, work: work)
        defer { importer.stop() }
        var imported = 0
        var seconds = 0.0
        var peakKiB = 0
        for file in files {
            let reportPath = work + "/import-\(file).json"
            let usage = try importer.run(
                ["import", "upr-info", (folder as NSString).appendingPathComponent(file), "--json"], output: reportPath)
            let report = try JSONDecoder().decode(
                ImportCount.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
            imported += report.new
            seconds += usage.seconds
            peakKiB = max(peakKiB, usage.maxRSSKiB)
        }
        let push = try importer.run(["sync"])
        return [
            BenchResult(
                workload: "import", operations: imported, seconds: seconds, opsPerSecond: Double(imported) / seconds,
                clientPeakRSSMiB: Double(peakKiB) / 1024,
                note: "\(files.count) UPR Info files read, checked and recorded locally (followup import upr-info)"),
            BenchResult(
                workload: "import_push", operations: imported, seconds: push.seconds,
                opsPerSecond: Double(imported) / push.seconds, clientPeakRSSMiB: Double(push.maxRSSKiB) / 1024,
                serverPeakRSSMiB: Double(importer.running.peakRSSKiB()) / 1024,
                note: "the imported recommendations pushed by followup sync"),
        ]
    }

    /// Runs the same workloads against Kinto with `driver` and answers its figures.
    static func kinto(url: String, pid: Int?, driver: String, size: Int, concurrency: Bool) throws -> [BenchResult] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", driver, "--url", url, "--server-pid", String(pid ?? 0), "--size", String(size)]
            + (concurrency ? ["--concurrency"] : [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("the Kinto driver failed (exit \(process.terminationStatus)); see its messages above")
        }
        return try JSONDecoder().decode([BenchResult].self, from: data)
    }

    /// The ratios the issue's targets are stated in, from one run's results.
    static func comparison(_ results: [(size: Int, result: BenchResult)]) -> [String] {
        func find(_ system: String, _ workload: String, _ size: Int) -> BenchResult? {
            results.first { $0.size == size && $0.result.system == system && $0.result.workload == workload }?.result
        }
        var lines = ["comparison (same run):"]
        for size in Set(results.map(\.size)).sorted() where size > 0 {
            if let push = find("followup", "push", size), let limit = find("sqlite", "sqlite_limit", size) {
                lines.append(
                    String(
                        format: "  %d: push is %.1f%% of the SQLite limit", size,
                        100 * push.opsPerSecond / limit.opsPerSecond))
            }
            for workload in ["push", "initial_pull", "delta_pull"] {
                // Kinto at the same size, or else at the nearest size it was measured at.
                let kinto = results.filter { $0.result.system == "kinto" && $0.result.workload == workload }
                    .min { abs($0.size - size) < abs($1.size - size) }
                if let ours = find("followup", workload, size), let theirs = kinto {
                    lines.append(
                        String(
                            format: "  %d: %@ is %.2fx Kinto's throughput%@", size, workload as NSString,
                            ours.opsPerSecond / theirs.result.opsPerSecond,
                            (theirs.size == size ? "" : " (Kinto at \(theirs.size))") as NSString))
                }
            }
        }
        for workload in ["concurrent_4", "concurrent_32"] {
            if let ours = find("followup", workload, 0), let theirs = find("kinto", workload, 0) {
                lines.append(
                    String(
                        format: "  %@ is %.2fx Kinto's throughput", workload as NSString,
                        ours.opsPerSecond / theirs.opsPerSecond))
            }
        }
        return lines
    }
}

/// The part of `followup import --json`'s report the benchmark reads.
struct ImportCount: Decodable {
    var new: Int
}
