/// How often sign-in may be tried, as a value-type state machine: failures per account and
/// address, per address, and per account, each with its own free allowance and waits that
/// double.
///
/// An attacker guessing from one address soon waits up to `pair.maxWaitMillis` between guesses;
/// spreading guesses over many accounts from one address meets the per-address rule; spreading
/// them over many addresses meets the per-account rule, whose wait is short (30 s by default)
/// so that nobody can lock a real user out for long. A success clears the account's failures.
/// Only attempts allowed in are checked against the password, so refused ones cost no bcrypt.
public struct LoginThrottle: Sendable {
    /// When one kind of key starts waiting, and how long at most.
    public struct Rule: Sendable, Equatable {
        /// Failures allowed before the first wait.
        public var freeFailures: Int
        /// The first wait, in milliseconds; each further failure doubles it.
        public var firstWaitMillis: Int64
        /// The longest wait, in milliseconds.
        public var maxWaitMillis: Int64

        /// Creates a rule.
        public init(freeFailures: Int, firstWaitMillis: Int64, maxWaitMillis: Int64) {
            self.freeFailures = freeFailures
            self.firstWaitMillis = firstWaitMillis
            self.maxWaitMillis = maxWaitMillis
        }

        /// The wait after `failures` failures in a row.
        func wait(after failures: Int) -> Int64 {
            guard failures > freeFailures else { return 0 }
            let doublings = min(failures - freeFailures - 1, 40)
            return min(maxWaitMillis, firstWaitMillis << Int64(doublings))
        }
    }

    /// What an attempt may do now.
    public enum Admission: Sendable, Equatable {
        /// Check the password.
        case proceed
        /// Refuse without checking; the caller may try again after this many milliseconds.
        case wait(millis: Int64)
    }

    /// Failures of one account from one address.
    public var pair = Rule(freeFailures: 5, firstWaitMillis: 1_000, maxWaitMillis: 15 * 60_000)
    /// Failures from one address, whatever the account.
    public var address = Rule(freeFailures: 20, firstWaitMillis: 1_000, maxWaitMillis: 15 * 60_000)
    /// Failures of one account, whatever the address: short waits, so no lock-out lasts.
    public var account = Rule(freeFailures: 20, firstWaitMillis: 1_000, maxWaitMillis: 30_000)
    /// How long failures are remembered after the last one, in milliseconds.
    public var memoryMillis: Int64 = 60 * 60_000
    /// Attempts from one address being checked at once; more are refused with a short wait.
    public var maxConcurrentPerAddress = 4
    /// The most keys remembered; the least recently failed are forgotten first.
    public var maxKeys = 100_000

    private enum Key: Hashable {
        case pair(account: String, address: String)
        case address(String)
        case account(String)
    }

    private struct Failures {
        var count: Int
        var last: Int64
        var blockedUntil: Int64
    }

    private var failures: [Key: Failures] = [:]
    private var checking: [String: Int] = [:]

    /// Creates a throttle with the default rules.
    public init() {}

    private func keys(account: String, address: String) -> [(Key, Rule)] {
        [
            (.pair(account: account, address: address), pair), (.address(address), self.address),
            (.account(account), self.account),
        ]
    }

    /// Decides whether an attempt for `account` from `address` may check the password now.
    ///
    /// An admitted attempt must be followed by `failed` or `succeeded`.
    public mutating func admit(account: String, address: String, now: Int64) -> Admission {
        var wait: Int64 = 0
        for (key, _) in keys(account: account, address: address) {
            guard let record = failures[key] else { continue }
            if now - record.last > memoryMillis {
                failures[key] = nil
            } else {
                wait = max(wait, record.blockedUntil - now)
            }
        }
        if wait > 0 { return .wait(millis: wait) }
        if checking[address, default: 0] >= maxConcurrentPerAddress { return .wait(millis: 1_000) }
        checking[address, default: 0] += 1
        return .proceed
    }

    /// Records a wrong password (or unknown account) for an admitted attempt.
    public mutating func failed(account: String, address: String, now: Int64) {
        finish(address)
        for (key, rule) in keys(account: account, address: address) {
            var record = failures[key] ?? Failures(count: 0, last: now, blockedUntil: now)
            if now - record.last > memoryMillis { record = Failures(count: 0, last: now, blockedUntil: now) }
            record.count += 1
            record.last = now
            record.blockedUntil = now + rule.wait(after: record.count)
            failures[key] = record
        }
        if failures.count > maxKeys, let oldest = failures.min(by: { $0.value.last < $1.value.last })?.key {
            failures[oldest] = nil
        }
    }

    /// Records a right password for an admitted attempt: the account's failures are forgotten.
    public mutating func succeeded(account: String, address: String) {
        finish(address)
        failures[.pair(account: account, address: address)] = nil
        failures[.account(account)] = nil
    }

    /// Records an admitted attempt that ended without a verdict (an error while checking).
    public mutating func abandoned(address: String) {
        finish(address)
    }

    private mutating func finish(_ address: String) {
        let left = checking[address, default: 1] - 1
        checking[address] = left > 0 ? left : nil
    }
}
