import ArgumentParser
import Client
import Foundation
import Hummingbird
import Logging

/// `followup --replica DIR desk`: serves the desk over the replica on 127.0.0.1.
public struct DeskCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "desk",
        abstract: "Serve the desk (the browser pages over this replica) on 127.0.0.1; prints the address to open.")

    @OptionGroup var options: ReplicaOptions
    @Option(help: "The port on 127.0.0.1 (0: a free one).") var port = 8765
    @Option(help: "Sync every M minutes while running (0: only when asked).") var syncMinutes = 5
    @Option(help: "The largest evidence file accepted, in bytes (the server's default limit).")
    var maxFileBytes = DeskConfiguration.defaultMaxFileBytes

    public init() {}

    public func run() async throws {
        guard let directory = options.replica else {
            throw ValidationError("give the replica directory: followup --replica DIR desk")
        }
        guard syncMinutes >= 0 else { throw ValidationError("--sync-minutes must be zero or more") }
        guard maxFileBytes > 0 else { throw ValidationError("--max-file-bytes must be more than zero") }
        let replica = try Replica(directory: directory)
        _ = try replica.settings()
        var logger = Logger(label: "followup.desk")
        logger.logLevel =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        let app = try buildDeskApplication(
            replica: replica,
            configuration: DeskConfiguration(
                port: port, syncInterval: syncMinutes == 0 ? nil : .seconds(syncMinutes * 60),
                maxFileBytes: maxFileBytes),
            logger: logger
        ) { address in
            // Written unbuffered: a script reading the address through a pipe gets it at once.
            FileHandle.standardOutput.write(
                Data(
                    """
                    The desk is open at \(address)
                    Open this address in a browser on this computer; it works once. Stop with Ctrl-C.

                    """.utf8))
        }
        try await app.runService()
    }
}
