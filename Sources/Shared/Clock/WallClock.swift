import Foundation

/// A source of physical time in milliseconds since the Unix epoch.
///
/// The hybrid logical clock and the server's skew check take their time from a `WallClock`
/// so that tests can set it by hand.
public protocol WallClock: Sendable {
    /// The current time in milliseconds since 1970-01-01T00:00:00Z.
    func nowMillis() -> Int64
}

/// The operating system's real-time clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current system time in milliseconds.
    public func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// A clock whose time is set by hand, for tests.
public final class ManualWallClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var millis: Int64

    /// Creates a clock showing `millis`.
    public init(millis: Int64) { self.millis = millis }

    /// The time the clock was last set to.
    public func nowMillis() -> Int64 { lock.withLock { millis } }

    /// Moves the clock by `delta` milliseconds (negative moves it back).
    public func advance(by delta: Int64) { lock.withLock { millis += delta } }

    /// Sets the clock to `millis`.
    public func set(_ millis: Int64) { lock.withLock { self.millis = millis } }
}
