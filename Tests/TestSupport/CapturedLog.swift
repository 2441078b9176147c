import Foundation
import Logging
import Synchronization

/// A log that keeps every line written to it, for tests that check what the server logs.
public final class CapturedLog: Sendable {
    /// One logged line: its level, message and metadata (the logger's own merged in).
    public struct Line: Sendable {
        /// The level's name, such as `warning`.
        public var level: String
        /// The message, such as `auth.login.refused`.
        public var message: String
        /// The metadata, each value as text.
        public var metadata: [String: String]

        /// The whole line as text, for greps: message, then `key=value` pairs.
        public var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let kept = Mutex<[Line]>([])

    /// Creates an empty log.
    public init() {}

    /// The lines so far, oldest first.
    public var lines: [Line] { kept.withLock { $0 } }

    /// The lines whose message is `message`.
    public func lines(_ message: String) -> [Line] { lines.filter { $0.message == message } }

    /// A logger writing here at `level` and above.
    public func logger(label: String = "followup.server", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: Line) { kept.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            log.append(
                Line(
                    level: event.level.rawValue, message: "\(event.message)",
                    metadata: merged.mapValues { "\($0)" }))
        }
    }
}
