import Testing
@testable import KiqprofCore

/// The per-thread CPU history of one process: polls, the CPU each thread used between them, what it did, and
/// threads that come and go. Values are binary fractions so the differences are exact.
@Suite("thread CPU: the per-process thread series")
struct ThreadCPUSeriesTests {
    static func reading(_ tid: Int, _ cpu: Double, _ slices: Double? = nil) -> ThreadCPUReading {
        ThreadCPUReading(tid: tid, name: "sidekiq.default", cpuSeconds: cpu, timeslices: slices)
    }

    @Test func appendReturnsTheJobThreadsCPUSinceThePreviousPoll() {
        var series = ThreadCPUSeries(horizon: 100)
        #expect(series.append(at: 10, readings: [Self.reading(1, 1), Self.reading(2, 4)]) == nil)  // nothing before
        #expect(series.append(at: 11, readings: [Self.reading(1, 1.5), Self.reading(2, 4.25)]) == 0.75)
        // A counter never goes back: a thread reading less than before counts 0.
        #expect(series.append(at: 12, readings: [Self.reading(1, 1.25), Self.reading(2, 5.25)]) == 1)
        // A poll not after the last is ignored.
        #expect(series.append(at: 12, readings: [Self.reading(1, 9)]) == nil)
        #expect(series.append(at: 11.5, readings: [Self.reading(1, 9)]) == nil)
        #expect(series.times == [10, 11, 12])
        #expect(series.lastTime == 12)
        #expect(series.cpu(1, at: 2) == 1.25)
        #expect(Set(series.tids) == [1, 2])
    }

    @Test func pollsAreFoundAtOrBeforeAndAtOrAfterATime() {
        var series = ThreadCPUSeries(horizon: 100)
        for time in [10.0, 11, 13] { series.append(at: time, readings: [Self.reading(1, time)]) }
        #expect(series.index(atOrBefore: 9.5) == nil)
        #expect(series.index(atOrBefore: 10) == 0)
        #expect(series.index(atOrBefore: 12.9) == 1)
        #expect(series.index(atOrBefore: 13) == 2)
        #expect(series.index(atOrBefore: 20) == 2)
        #expect(series.index(atOrAfter: 9) == 0)
        #expect(series.index(atOrAfter: 10) == 0)
        #expect(series.index(atOrAfter: 10.5) == 1)
        #expect(series.index(atOrAfter: 13) == 2)
        #expect(series.index(atOrAfter: 13.5) == nil)
        #expect(ThreadCPUSeries(horizon: 100).index(atOrBefore: 10) == nil)
    }

    @Test func usedAndRateCoverTheSpanSinceThePreviousPoll() {
        var series = ThreadCPUSeries(horizon: 100)
        series.append(at: 10, readings: [Self.reading(1, 1)])
        series.append(at: 11, readings: [Self.reading(1, 1.5)])
        series.append(at: 13, readings: [Self.reading(1, 2.5)])
        #expect(series.used(1, in: 0) == nil)
        #expect(series.used(1, in: 1) == 0.5 && series.rate(1, in: 1) == 0.5)
        #expect(series.used(1, in: 2) == 1 && series.rate(1, in: 2) == 0.5)
        #expect(series.used(7, in: 1) == nil && series.rate(7, in: 1) == nil)
    }

    @Test func activityFromCPUPerSecondAndTimeslices() {
        // Directly: heavy from 0.2 CPU/s, light above 0.005, then scheduled or not, or unknown.
        #expect(ThreadActivity(cpuSeconds: 0.4, timeslices: 0, over: 2) == .heavy)
        #expect(ThreadActivity(cpuSeconds: 0.39, timeslices: 9, over: 2) == .light)
        #expect(ThreadActivity(cpuSeconds: 0.011, timeslices: nil, over: 2) == .light)
        #expect(ThreadActivity(cpuSeconds: 0.01, timeslices: 3, over: 2) == .waiting)
        #expect(ThreadActivity(cpuSeconds: 0.01, timeslices: 0, over: 2) == .dormant)
        #expect(ThreadActivity(cpuSeconds: 0.01, timeslices: nil, over: 2) == .idle)
        // Over the series: 1 s polls, thread by thread.
        var series = ThreadCPUSeries(horizon: 100)
        series.append(at: 0, readings: [Self.reading(1, 0, 0), Self.reading(2, 0, 0), Self.reading(3, 0, 0),
                                        Self.reading(4, 0, 0), Self.reading(5, 0, nil)])
        series.append(at: 1, readings: [Self.reading(1, 0.25, 40), Self.reading(2, 0.0625, 12), Self.reading(3, 0.00390625, 2),
                                        Self.reading(4, 0, 0), Self.reading(5, 0, nil)])
        series.append(at: 3, readings: [Self.reading(1, 0.625, 80), Self.reading(2, 0.0625, 12), Self.reading(3, 0.00390625, 3),
                                        Self.reading(4, 0.5, 10), Self.reading(5, 0.125, nil)])
        #expect(series.activity(1, in: 0) == nil)
        #expect(series.activity(1, in: 1) == .heavy)  // 0.25 CPU/s
        #expect(series.activity(2, in: 1) == .light)  // 0.0625 CPU/s
        #expect(series.activity(3, in: 1) == .waiting)  // 0.0039 CPU/s, scheduled twice
        #expect(series.activity(4, in: 1) == .dormant)
        #expect(series.activity(5, in: 1) == .idle)
        #expect(series.activity(1, in: 2) == .light)  // 0.375 over 2 s: 0.1875 CPU/s
        #expect(series.activity(2, in: 2) == .dormant)
        #expect(series.activity(3, in: 2) == .waiting)
        #expect(series.activity(4, in: 2) == .heavy)  // 0.25 CPU/s
        #expect(series.activity(5, in: 2) == .light)  // 0.0625 CPU/s, timeslices unknown
    }

    @Test func threadsThatComeAndGoLeaveGaps() {
        var series = ThreadCPUSeries(horizon: 100)
        series.append(at: 0, readings: [Self.reading(1, 1, 5)])
        // Thread 2 appears: it adds nothing yet; thread 1 used 0.5.
        #expect(series.append(at: 1, readings: [Self.reading(1, 1.5, 6), Self.reading(2, 3, 1)]) == 0.5)
        // Thread 1 is gone for a poll: only thread 2's 0.25 counts.
        #expect(series.append(at: 2, readings: [Self.reading(2, 3.25, 2)]) == 0.25)
        // Thread 1 is back: no span to count for it yet.
        #expect(series.append(at: 3, readings: [Self.reading(1, 2, 8), Self.reading(2, 3.5, 3)]) == 0.25)
        #expect(series.append(at: 4, readings: [Self.reading(1, 2.125, 9), Self.reading(2, 3.5, 3)]) == 0.125)
        #expect(series.cpu(2, at: 0) == nil && series.cpu(2, at: 1) == 3)
        #expect(series.cpu(1, at: 2) == nil && series.cpu(1, at: 3) == 2)
        #expect(series.used(2, in: 1) == nil && series.activity(2, in: 1) == nil)
        #expect(series.used(1, in: 2) == nil && series.used(1, in: 3) == nil && series.activity(1, in: 3) == nil)
        #expect(series.used(1, in: 4) == 0.125 && series.activity(1, in: 4) == .light)
        #expect(series.activity(2, in: 4) == .dormant)
        // A poll with no job threads at all, after one with some, counts nothing.
        #expect(series.append(at: 5, readings: []) == nil)
        #expect(series.cpu(1, at: 5) == nil && series.times.count == 6)
    }

    @Test func pollsBeyondTheHorizonAreTrimmedInChunks() {
        var series = ThreadCPUSeries(horizon: 10)
        for step in 0...41 {
            let time = Double(step)
            var readings = [Self.reading(1, time / 2)]
            if step <= 20 { readings.append(Self.reading(9, 7)) }
            series.append(at: time, readings: readings)
        }
        // At t = 41, 31 polls are older than 31 s: under the chunk of 32, nothing is dropped yet.
        #expect(series.times.count == 42 && series.times.first == 0)
        #expect(Set(series.tids) == [1, 9])
        series.append(at: 42, readings: [Self.reading(1, 21)])
        // At t = 42 the 32 polls before t = 32 go, and thread 9, absent from all that remain, with them.
        #expect(series.times.first == 32 && series.times.count == 11)
        #expect(Set(series.tids) == [1])
        #expect(series.index(atOrBefore: 31) == nil && series.index(atOrBefore: 32) == 0)
        #expect(series.cpu(1, at: 0) == 16 && series.used(1, in: 10) == 0.5)
        for step in 43...50 { series.append(at: Double(step), readings: [Self.reading(1, Double(step) / 2)]) }
        #expect(series.times.first == 32 && series.times.count == 19)
    }
}
