import Client
import Foundation
import Shared
import TestSupport
import Testing

/// "What's new" goes by when a change reached this replica, not when it was written.
@Suite("What's new, by arrival")
struct WhatsNewArrivalTests {
    static let day: Int64 = 86_400_000

    @Test("an assignment made offline a week ago is new on the day it arrives, and not after")
    func offlineEditIsNewWhenItArrives() async throws {
        let start: Int64 = 1_800_000_000_000
        let server = try await InProcessServer(now: start)
        let secretariatClock = ManualWallClock(millis: start)
        let ministryClock = ManualWallClock(millis: start)
        let (secretariat, secretariatEngine) = try await server.replica(
            user: "sara", org: "nmirf", clock: secretariatClock)
        let (ministry, ministryEngine) = try await server.replica(user: "malik", org: "moj", clock: ministryClock)
        _ = try await secretariatEngine.sync()
        let recommendation = try secretariat.put(
            "recommendation", fields: ["text": .text("Ratify the Optional Protocol")])
        _ = try await secretariatEngine.sync()
        _ = try await ministryEngine.sync()

        // The secretariat assigns offline; a week later it syncs, and then the ministry does.
        secretariatClock.advance(by: 60_000)
        let assignment = try secretariat.assign(NewAssignment(target: recommendation, institution: "moj", role: .lead))
        for clock in [server.clock, secretariatClock, ministryClock] { clock.set(start + 7 * Self.day) }
        _ = try await secretariatEngine.sync()
        ministryClock.advance(by: 60_000)
        let arrival = ministryClock.nowMillis()
        _ = try await ministryEngine.sync()

        // Looked yesterday: the week-old assignment arrived since, so it is new.
        let yesterday = try ministry.whatsNew(since: arrival - Self.day, today: "2027-01-22")
        #expect(yesterday.assignments.map(\.id) == [assignment])
        // Looked just after it arrived: seen.
        let after = try ministry.whatsNew(since: arrival, today: "2027-01-22")
        #expect(after.assignments.isEmpty)

        // Pulling again the same versions does not make it arrive again.
        ministryClock.advance(by: Self.day)
        _ = try await ministryEngine.sync()
        #expect(try ministry.whatsNew(since: arrival, today: "2027-01-23").assignments.isEmpty)
    }
}
