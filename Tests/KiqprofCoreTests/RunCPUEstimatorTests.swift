import Testing
@testable import KiqprofCore

/// One run's CPU on one kernel thread, from polls every second around its start (`run_at`, whole seconds) and
/// its end bracket (last beat that listed it, first without it). Each thread is a piecewise-constant CPU rate;
/// every expected figure is worked out in the comments.
@Suite("thread CPU: a run's CPU from its thread's polls")
struct RunCPUEstimatorTests {
    /// A thread's CPU rate: `rate` CPU/s over `[from, to)`, nothing elsewhere (on top of `base` CPU seconds).
    struct Segment {
        var from: Double, to: Double, rate: Double
    }

    static func cpu(_ segments: [Segment], base: Double, at time: Double) -> Double {
        base + segments.reduce(0) { $0 + $1.rate * max(0, min(time, $1.to) - $1.from) }
    }

    /// Polls at every whole second of `polls`, thread 1 following `segments`.
    static func series(_ segments: [Segment], base: Double = 5, polls: ClosedRange<Int> = 90...115) -> ThreadCPUSeries {
        var series = ThreadCPUSeries(horizon: 1000)
        for step in polls {
            let time = Double(step)
            series.append(at: time, readings: [ThreadCPUReading(tid: 1, name: "sidekiq.default",
                                                                cpuSeconds: cpu(segments, base: base, at: time), timeslices: nil)])
        }
        return series
    }

    static func near(_ value: Double?, _ expected: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= tolerance
    }

    @Test func aHogStartingOnAnIdleThreadIsMeasuredToItsEnd() throws {
        // Idle at 5 CPU-s, then 1 CPU/s over [100.3, 107.6): 7.3 CPU-s. run_at 100; listed at 105, gone at 110.
        let series = Self.series([Segment(from: 100.3, to: 107.6, rate: 1)])
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        // Nothing before the start, so the start stands at poll 100's 5; poll 101 read 5.7.
        #expect(Self.near(mark.atStart, 5) && Self.near(mark.before, 5) && Self.near(mark.after, 5.7) && mark.afterTime == 101)
        let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 110, nextStart: nil, in: series))
        // Surely running until 105: 9.7 - 5 = 4.7 at 1.04 CPU/s; then 1 + 1 + 0.6 while the pace holds; 0 at 109.
        #expect(Self.near(estimate.seconds, 7.3))
        // At least what it used from poll 101 to 105 (4.0); at most from poll 100 to 110 (7.3).
        #expect(Self.near(estimate.min, 4) && Self.near(estimate.max, 7.3))
        #expect(estimate.min <= 7.3 && 7.3 <= estimate.max + 1e-9)
    }

    @Test func theStartSecondKeepsThePreviousJobsPaceToItsMiddle() throws {
        // The previous job ran at 0.8 CPU/s until 99.8 (99 → 100 read 0.64 CPU/s); this one from 100.3 at 1 CPU/s.
        let series = Self.series([Segment(from: 90, to: 99.8, rate: 0.8), Segment(from: 100.3, to: 107.6, rate: 1)])
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        // 5 + 9.8 × 0.8 = 12.84 at poll 100; the start at 100.5 adds 0.64 × 0.5 = 0.32 (less than 101's 0.7).
        #expect(Self.near(mark.before, 12.84) && Self.near(mark.atStart, 13.16) && Self.near(mark.after, 13.54))
        // No poll after the start's second, or none at or before it: no mark.
        #expect(RunCPUEstimator.startMark(of: 1, start: 115, in: series) == nil)
        #expect(RunCPUEstimator.startMark(of: 1, start: 89, in: series) == nil)
        #expect(RunCPUEstimator.startMark(of: 2, start: 100, in: series) == nil)
    }

    @Test func aSleeperUsesNextToNothing() throws {
        // Asleep from 100 to 108 (listed at 105, gone at 110), then waiting for work at 0.002 CPU/s.
        let series = Self.series([Segment(from: 108, to: 120, rate: 0.002)], base: 3)
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 110, nextStart: nil, in: series))
        // No pace to break: the tail runs to 110 with the two polls of waiting, 0.004; the most is the same.
        #expect(Self.near(estimate.seconds, 0.004) && estimate.min == 0 && Self.near(estimate.max, 0.004))
    }

    @Test func aSleeperDoesNotTakeTheNextJobsCPU() throws {
        // Asleep from 100, then an unlisted CPU-bound job from 108.5: a sleeping run does not turn CPU-bound.
        let series = Self.series([Segment(from: 108.5, to: 120, rate: 1)], base: 3)
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 110, nextStart: nil, in: series))
        // 108 → 109 used 0.5, beyond 0.3 CPU/s after none: the pace broke there, and the run's pace (0) bounds it.
        #expect(estimate.seconds == 0 && estimate.min == 0)
        // The most it could have used: all of poll 100 to 110, 1.5.
        #expect(Self.near(estimate.max, 1.5))
    }

    @Test func aVictimThatSpeedsUpWhenItsNeighbourEndsKeepsCounting() throws {
        // 0.5 CPU/s over [100, 104) beside a hog, 1 CPU/s over [104, 108) once it ended: 2 + 4 = 6 CPU-s. Then
        // an unlisted light job at 0.1 CPU/s. run_at 100, listed at 102, gone at 110.
        let series = Self.series([Segment(from: 100, to: 104, rate: 0.5), Segment(from: 104, to: 108, rate: 1),
                                  Segment(from: 108, to: 120, rate: 0.1)], base: 2)
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 102,
                                                           latestEnd: 110, nextStart: nil, in: series))
        // Until 102: 1 CPU-s at 0.67 CPU/s. Then 0.5, 0.5, 1, 1, 1, 1 all keep above 0.3 × 0.67 - 0.02 = 0.18 CPU/s;
        // 108 → 109 drops to 0.1: the run ended there, and 0.1 is no more than the next second's 0.1.
        #expect(Self.near(estimate.seconds, 6))
        // Least: poll 101 to 102, 0.5. Most: poll 100 to 110, 6 + 0.2.
        #expect(Self.near(estimate.min, 0.5) && Self.near(estimate.max, 6.2))
    }

    @Test func theNextRunOnTheSameThreadClipsTheEnd() throws {
        // This run: 1 CPU/s over [100.3, 106.5), 6.2 CPU-s; listed at 105, gone at 110. The next run on the thread
        // (run_at 107) uses 1 CPU/s from 107.2.
        let segments = [Segment(from: 100.3, to: 106.5, rate: 1), Segment(from: 107.2, to: 120, rate: 1)]
        let series = Self.series(segments)
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        // The first beat without it bounds the end at 110: the next run's CPU at an unbroken pace is taken too,
        // 4.7 + 1 + 0.5 + 0.8 + 1 + 1 = 9.
        let unclipped = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 110, nextStart: nil, in: series))
        #expect(Self.near(unclipped.seconds, 9) && Self.near(unclipped.max, 9))
        // The next run's start second bounds it at 108: 4.7 + 1 + 0.5 + 0.8 = 7, which is also the most
        // (poll 100's 5 to poll 108's 12).
        let clipped = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 108, nextStart: nil, in: series))
        #expect(Self.near(clipped.seconds, 7) && Self.near(clipped.min, 4) && Self.near(clipped.max, 7))
        #expect(clipped.min <= 6.2 && 6.2 <= clipped.max)
        // An end bound between polls takes that share of the last span at most: 107 → 108 used 0.8, half of it
        // by 107.5 is 0.4 (under the run's 1.04 CPU/s × 0.5 s): 4.7 + 1 + 0.5 + 0.4 = 6.6.
        let midway = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                           latestEnd: 107.5, nextStart: nil, in: series))
        #expect(Self.near(midway.seconds, 6.6) && Self.near(midway.max, 7))
        // The next run's run_at (107) bounds it by 108 and splits its second at the middle, as the next run's
        // start mark does: the estimate stops at 107.5, the most at 108.
        let split = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 105,
                                                          latestEnd: 108, nextStart: 107, in: series))
        #expect(Self.near(split.seconds, 6.6) && Self.near(split.max, 7))
    }

    @Test func aRunSeenOnlyInItsStartSecondHasNoLowerBound() throws {
        // 1 CPU/s over [100.2, 101.6); listed only at 100, gone by 103.
        let series = Self.series([Segment(from: 100.2, to: 101.6, rate: 1)])
        let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
        let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: 100,
                                                           latestEnd: 103, nextStart: nil, in: series))
        // Surely running to poll 101 only: 0.8 at 0.8 / 0.5 = 1.6 CPU/s; 101 → 102 used 0.6, above 0.3 × 1.6 - 0.02
        // = 0.46: taken; 102 → 103 used nothing: ended. 1.4 in all, the truth.
        #expect(Self.near(estimate.seconds, 1.4) && estimate.min == 0 && Self.near(estimate.max, 1.4))
    }

    @Test func theTruthLiesBetweenTheBoundsAndTheEstimateBetweenThem() throws {
        // Random piecewise-constant threads and runs: the thread used its CPU over [start', end'] for the run,
        // start' in the start second, end' in the end bracket; the bounds must hold that, the estimate its bounds.
        var random = SplitMix64(seed: 42)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + Double(random.next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
        }
        for _ in 0..<200 {
            let actualStart = 100 + uniform(0...0.999)
            let actualEnd = actualStart + uniform(1...12)
            let lastSeen = max(100, (actualEnd - uniform(0...4)).rounded(.down))
            let latestEnd = lastSeen + 5
            guard actualEnd <= latestEnd, lastSeen <= actualEnd else { continue }
            var segments: [Segment] = []
            var time = 90.0
            while time < 115 {
                let next = min(115, time + uniform(0.3...4))
                segments.append(Segment(from: time, to: next, rate: uniform(0...1) < 0.3 ? 0 : uniform(0...1)))
                time = next
            }
            let series = Self.series(segments)
            let mark = try #require(RunCPUEstimator.startMark(of: 1, start: 100, in: series))
            let estimate = try #require(RunCPUEstimator.estimate(tid: 1, mark: mark, start: 100, lastSeen: lastSeen,
                                                                 latestEnd: latestEnd, nextStart: nil, in: series))
            let truth = Self.cpu(segments, base: 5, at: actualEnd) - Self.cpu(segments, base: 5, at: actualStart)
            #expect(estimate.min <= estimate.seconds && estimate.seconds <= estimate.max)
            #expect(estimate.min <= truth + 1e-9 && truth <= estimate.max + 1e-9, "truth \(truth) outside \(estimate)")
        }
    }
}
