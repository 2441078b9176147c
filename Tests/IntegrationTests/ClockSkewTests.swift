import Client
import Server
import Shared
import TestSupport
import Testing

@Suite("A replica whose clock is wrong by days")
struct ClockSkewTests {
    static let day: Int64 = 86_400_000

    @Test("is refused, re-stamps from the server's time, and does not win every conflict")
    func clockAhead() async throws {
        let server = try await InProcessServer(maxClockSkewMillis: 300_000)
        let aheadClock = ManualWallClock(millis: server.clock.nowMillis() + 3 * Self.day)
        let rightClock = ManualWallClock(millis: server.clock.nowMillis())
        let (ahead, aheadEngine) = try await server.replica(user: "fast", org: "nmirf", clock: aheadClock)
        let (right, rightEngine) = try await server.replica(user: "exact", org: "nmirf", clock: rightClock)

        let id = try ahead.put("recommendation", fields: ["text": .text("written three days in the future")])
        let report = try await aheadEngine.sync()
        #expect(report.restamped == 1)
        #expect(report.accepted == 1)
        #expect(report.clockCorrectionMillis == -3 * Self.day)
        #expect(try ahead.status().clockOffsetMillis == -3 * Self.day)
        #expect(try ahead.status().pending == 0)
        #expect(try ahead.status().rejected == 0)
        let page = try await server.storage.operations(after: 0, limit: 100)
        let fromFast = page.operations.filter { $0.author == "fast" }
        #expect(fromFast.count == 1)
        #expect(fromFast.allSatisfy { $0.hlc.physical <= server.clock.nowMillis() + 1 })

        // A correct replica edits the same field a second later: its edit wins everywhere.
        for clock in [server.clock, aheadClock, rightClock] { clock.advance(by: 1_000) }
        _ = try await rightEngine.sync()
        try right.put("recommendation", id: id, fields: ["text": .text("corrected by the secretariat")])
        _ = try await rightEngine.sync()
        _ = try await aheadEngine.sync()
        #expect(try ahead.row("recommendation", id: id)?["text"] == .text("corrected by the secretariat"))

        // Later edits from the fast replica use the corrected clock and are accepted at once.
        for clock in [server.clock, aheadClock, rightClock] { clock.advance(by: 1_000) }
        try ahead.put("recommendation", id: id, fields: ["text": .text("the ministry's update")])
        let second = try await aheadEngine.sync()
        #expect(second.restamped == 0)
        #expect(second.accepted == 1)
        _ = try await rightEngine.sync()
        #expect(try right.row("recommendation", id: id)?["text"] == .text("the ministry's update"))
        #expect(try right.digest() == ahead.digest())
        #expect(try right.digest() == (try await server.storage.digest()))

        // Once the system clock is fixed, the correction returns to zero.
        aheadClock.set(server.clock.nowMillis())
        _ = try await aheadEngine.sync()
        #expect(try ahead.status().clockOffsetMillis == 0)
    }

    @Test("re-stamped edits stay after the replica's own accepted edits")
    func restampKeepsOwnOrder() async throws {
        let server = try await InProcessServer(maxClockSkewMillis: 300_000)
        let clock = ManualWallClock(millis: server.clock.nowMillis() + 200_000)
        let (replica, engine) = try await server.replica(user: "drift", org: "nmirf", clock: clock)
        let id = try replica.put("action", fields: ["title": .text("first, within the skew limit")])
        // Push only: no pull yet, so the replica has not compared clocks with the server.
        #expect(try await engine.push().accepted == 1)
        clock.advance(by: 200_000)
        try replica.put("action", id: id, fields: ["title": .text("second, beyond the limit")])
        let report = try await engine.sync()
        #expect(report.restamped == 1)
        #expect(try replica.row("action", id: id)?["title"] == .text("second, beyond the limit"))
        #expect(try replica.digest() == (try await server.storage.digest()))
    }
}
