import Shared
import TestSupport
import Testing

@Suite("Hybrid logical clock")
struct HLCTests {
    @Test("the wire form is fixed-width and round-trips")
    func wireForm() throws {
        let timestamp = HLCTimestamp(physical: 1_764_338_515_123, logical: 7)
        #expect(timestamp.description == "001764338515123-00007")
        #expect(HLCTimestamp("001764338515123-00007") == timestamp)
        #expect(HLCTimestamp("1764338515123-7") == nil)
        #expect(HLCTimestamp("001764338515123-99999") == nil)
        #expect(HLCTimestamp("00176433851512a-00007") == nil)
    }

    @Test("text order equals time order")
    func textOrder() {
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<1_000 {
            let a = HLCTimestamp(
                physical: Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator),
                logical: UInt16.random(in: 0...3, using: &generator))
            let b = HLCTimestamp(
                physical: Bool.random(using: &generator)
                    ? a.physical : Int64.random(in: 0...HLCTimestamp.maxPhysical, using: &generator),
                logical: UInt16.random(in: 0...3, using: &generator))
            #expect((a < b) == (a.description < b.description))
        }
    }

    @Test("ticks strictly increase even when the wall clock goes back")
    func monotonicTicks() {
        var clock = HybridLogicalClock()
        var generator = SeededGenerator(seed: 2)
        var previous = HLCTimestamp(physical: 0)
        var now: Int64 = 1_000_000
        for _ in 0..<5_000 {
            now += Int64.random(in: -50...50, using: &generator)
            let stamp: HLCTimestamp
            if Bool.random(using: &generator) {
                stamp = clock.tick(now: now)
            } else {
                let remote = HLCTimestamp(
                    physical: now + Int64.random(in: -100...100, using: &generator),
                    logical: UInt16.random(in: 0...5, using: &generator))
                clock.receive(remote, now: now)
                #expect(clock.last > remote)
                stamp = clock.last
            }
            #expect(stamp > previous)
            previous = stamp
        }
    }

    @Test("the logical counter overflows into the next millisecond")
    func counterOverflow() {
        var clock = HybridLogicalClock(last: HLCTimestamp(physical: 10, logical: UInt16.max))
        #expect(clock.tick(now: 5) == HLCTimestamp(physical: 11, logical: 0))
    }

    @Test("versions order by HLC, then by writer")
    func versionOrder() throws {
        let early = FieldVersion(hlc: HLCTimestamp(physical: 5), writer: "b")
        let late = FieldVersion(hlc: HLCTimestamp(physical: 6), writer: "a")
        let tie = FieldVersion(hlc: HLCTimestamp(physical: 6), writer: "c")
        #expect(early < late)
        #expect(late < tie)
        #expect(FieldVersion(late.description) == late)
        #expect((early.description < late.description) && (late.description < tie.description))
    }
}
