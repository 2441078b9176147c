import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `followup` and `followup-server` executables, run as separate processes.
public enum Executables {
    /// `$FOLLOWUP_BIN_DIR/<name>` (set by scripts/test), else `.build/debug/<name>`.
    public static func path(_ name: String) -> String {
        if let directory = ProcessInfo.processInfo.environment["FOLLOWUP_BIN_DIR"] {
            return directory + "/" + name
        }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    /// Runs an executable to the end; answers its exit status and standard output.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String], input: String? = nil) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(Data((input + "\n").utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The bytes of a file that SQLite may hold open in this process, read by a child process.
///
/// Closing any descriptor of a database file drops every POSIX lock this process holds on it, so
/// reading it with Foundation here could let another process checkpoint and delete its WAL.
public func bytesOfOpenDatabase(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else { return Data() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/cat")
    process.arguments = [path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}

/// A `followup-server serve` process on a free port.
public final class ServerProcess {
    /// The running process.
    public let process: Process
    /// Its address, `http://127.0.0.1:PORT`.
    public let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    /// Starts the server on `data` and waits until it listens.
    ///
    /// `options` are added to `serve`, `environment` to the test's own; its output goes to
    /// `data/server-*.log`.
    public static func start(
        data: String, options: [String] = [], environment: [String: String] = [:]
    ) async throws -> ServerProcess {
        let log = data + "/server-\(UUID().uuidString.prefix(6)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.path("followup-server"))
        process.arguments = ["serve", "--data", data, "--port", "0"] + options
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                return ServerProcess(process: process, url: String(text[range]))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ProcessFailure(
            message: "followup-server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// Kills the server at once (SIGKILL) and waits for it to be gone.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the server gracefully (SIGTERM).
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// A child process that did not do what the test needed.
public struct ProcessFailure: Error, CustomStringConvertible {
    /// What happened.
    public var message: String

    /// Creates a failure.
    public init(message: String) { self.message = message }

    public var description: String { message }
}
