/// The cycles of the Universal Periodic Review and the Working Group sessions each covers.
public enum UPRCycles {
    /// Each cycle with its sessions: 1-12, 13-26, 27-40 and 41-54.
    public static let sessionRanges: [(cycle: Int, sessions: ClosedRange<Int>)] = [
        (cycle: 1, sessions: 1...12),
        (cycle: 2, sessions: 13...26),
        (cycle: 3, sessions: 27...40),
        (cycle: 4, sessions: 41...54),
    ]

    /// Returns the cycle of a UPR Working Group session, or nil when the session is outside cycles 1 to 4.
    public static func cycle(forSession session: Int) -> Int? {
        sessionRanges.first { $0.sessions.contains(session) }?.cycle
    }

    /// Returns the sessions of a cycle, or nil when the cycle is not 1 to 4.
    public static func sessions(forCycle cycle: Int) -> ClosedRange<Int>? {
        sessionRanges.first { $0.cycle == cycle }?.sessions
    }
}
