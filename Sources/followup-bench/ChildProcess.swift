import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished child process used.
struct ChildUsage {
    /// The exit status.
    var status: Int32
    /// Wall-clock seconds from spawn to exit.
    var seconds: Double
    /// Its own peak resident set size, in KiB (its `VmHWM`, sampled until it exits).
    var maxRSSKiB: Int
}

/// Runs an executable to its end and measures it alone: wall time and its own peak memory.
///
/// - Parameters:
///   - input: written to the child's standard input (a password), if any.
///   - log: where its standard error goes, and its standard output unless `output` is given.
///   - output: a file that receives its standard output alone.
func runMeasured(
    _ path: String, _ arguments: [String], input: String? = nil, log: String, output: String? = nil
) throws -> ChildUsage {
    var inputPath = "/dev/null"
    if let input {
        inputPath = log + ".stdin"
        try (input + "\n").write(toFile: inputPath, atomically: true, encoding: .utf8)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    if let output {
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    } else {
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let start = DispatchTime.now()
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchFailure("cannot start \(path): error \(spawned)") }
    // Not `ru_maxrss`: a spawned child shares this process's memory until it execs, and Linux
    // counts that in the child's peak. Its own `VmHWM` only grows, so sampling it until the
    // child exits gives its peak (short of growth in the last few milliseconds).
    var status: Int32 = 0
    var peakKiB = 0
    while true {
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid { break }
        guard waited == 0 else { throw BenchFailure("lost child \(path)") }
        peakKiB = max(peakKiB, peakResidentKiB(of: pid))
        usleep(2_000)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildUsage(status: exitStatus, seconds: seconds, maxRSSKiB: peakKiB)
}

/// A process's peak resident set size so far, in KiB (`VmHWM` in `/proc/PID/status`), or 0.
func peakResidentKiB(of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// A benchmark step that could not run.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A `followup-server serve` process on loopback, on its own data directory.
final class ServerUnderTest {
    let process: Process
    let url: String

    /// Starts the server and waits until it prints the address it listens on.
    init(binary: String, data: String, log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data", data, "--port", "0"]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                url = String(text[range])
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        process.terminate()
        throw BenchFailure("followup-server did not start; see \(log)")
    }

    /// The server's peak resident set size so far, in KiB (`VmHWM`).
    func peakRSSKiB() -> Int {
        peakResidentKiB(of: process.processIdentifier)
    }

    /// Stops the server gracefully and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
