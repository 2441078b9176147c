import Shared

/// A failure of a replica command, worded for the person at the keyboard.
public struct ReplicaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code: a protocol code or a client-side one such as `.notInitialised`.
    public var code: ErrorCode
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
