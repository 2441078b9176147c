/// A failure of a replica command, worded for the person at the keyboard.
public struct ReplicaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code (an `ErrorCode` raw value or a client-side one such as `not_initialised`).
    public var code: String
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
