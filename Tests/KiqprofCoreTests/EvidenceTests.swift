import Foundation
import KiqprofCore
import Testing

/// The evidence users have after the fact (a log and host samples): periodicity under scheduler jitter,
/// streams, victims of a hog, inseparable classes and the uncertainty of an attribution.
@Suite("incident: periodicity, streams and attribution on the evidence a log gives")
struct EvidenceTests {
    /// A deterministic generator (an LCG), so every run sees the same data.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    @Test func cronStartsLateByUpToAPollIntervalAreStillPeriodic() throws {
        // The intervals the issue saw from sidekiq-cron 1.x (every minute, a 30 s poll): 57.5, 58, 69, 50.2 s.
        let starts = [10.0, 67.5, 125.5, 194.5, 244.7].map { 1_795_000_020 + $0 }
        let periodicity = try #require(Periodicity.observed(starts))
        #expect(periodicity.period == 60)
        #expect(abs((periodicity.jitter ?? 0) - 9.8) < 0.01)
        // Late by anything up to 30 s on every tick, over ten ticks.
        var random = Random(state: 3)
        let late = (0..<10).map { 1_795_000_020 + Double($0) * 60 + 30 * random.next() }
        #expect(Periodicity.observed(late)?.period == 60)
        // A sidekiq-scheduler `every` counts from the scheduler's start, off the wall-clock grid.
        let every = (0..<6).map { 1_795_000_017.3 + Double($0) * 420 + 0.3 * random.next() }
        #expect(abs((Periodicity.observed(every)?.period ?? 0) - 420) < 0.5)
    }

    @Test func streamsAreNotPeriodicAndGetARate() {
        // Steady pushes five times a second: once merged within a second they looked periodic at ~1 s.
        let steady = (0..<3000).map { 1_795_000_000 + Double($0) * 0.2 }
        #expect(Periodicity.observed(steady) == nil)
        #expect(abs((Periodicity.streamRate(steady) ?? 0) - 5) < 0.01)
        // Random arrivals about every 20 s (intervals with a coefficient of variation near 1).
        var random = Random(state: 11)
        var t = 1_795_000_000.0
        var arrivals: [Double] = []
        for _ in 0..<60 {
            t += 20 * -log(max(1e-9, random.next()))
            arrivals.append(t)
        }
        #expect(Periodicity.observed(arrivals) == nil)
        // Starts that fit a minute's grid only by chance: three, a fifth of a minute apart in phase.
        #expect(Periodicity.observed([1_795_000_000, 1_795_000_072, 1_795_000_125]) == nil)
    }

    /// One Sidekiq process: a periodic hog (every 60 s, 20 s, +37 pp, +500 MB) holds the GVL, so a stream
    /// of 50 ms jobs (5 a second, 2 pp in all) stretches to seconds while it runs; a sleeper fires with the
    /// hog and waits 25 s; a 2 s job arrives at random.
    static func gvlDataset() -> (IncidentDataset, from: Double, to: Double) {
        var random = Random(state: 7)
        var interner = IncidentDataset.Interner()
        var dataset = IncidentDataset()
        let t0 = 1_795_000_020.0, horizon = 1800.0  // on a minute, as cron ticks are
        var hogRuns: [(Double, Double)] = []
        for tick in stride(from: 60.0, to: horizon - 60, by: 60) {
            let start = t0 + tick + 25 * random.next()
            hogRuns.append((start, start + 20))
            dataset.runs.append(.init(classIndex: interner.index("Scheduler::Trends::RefreshScheduler"), start: start, end: start + 20,
                hostIndex: 0))
            dataset.runs.append(.init(classIndex: interner.index("RemoteFeedPollJob"), start: start + 0.01, end: start + 25, hostIndex: 0))
        }
        func hogRunning(_ t: Double) -> (Double, Double)? { hogRuns.first { $0.0 <= t && t < $0.1 } }
        var t = t0
        while t < t0 + horizon {
            t += 0.2 * -log(max(1e-9, random.next()))
            // A victim waits for the GVL until the hog ends, then finishes.
            let end = hogRunning(t).map { $0.1 + 0.05 + 0.2 * random.next() } ?? t + 0.05
            dataset.runs.append(.init(classIndex: interner.index("DeliveryJob"), start: t, end: end, hostIndex: 0))
        }
        t = t0
        while t < t0 + horizon {
            t += 90 * -log(max(1e-9, random.next()))
            let end = t + 2 + (hogRunning(t) != nil ? 2 : 0)
            dataset.runs.append(.init(classIndex: interner.index("MediumJob"), start: t, end: end, hostIndex: 0))
        }
        dataset.runs.sort { ($0.start, $0.classIndex) < ($1.start, $1.classIndex) }
        dataset.classes = interner.names
        dataset.hosts = ["h"]
        let medium = dataset.runs.filter { dataset.classes[Int($0.classIndex)] == "MediumJob" }
        for second in 1...Int(horizon) {
            let t = t0 + Double(second)
            let hog = hogRuns.reduce(0.0) { $0 + max(0, min($1.1, t) - max($1.0, t - 1)) }
            let mediumShare = medium.reduce(0.0) { $0 + max(0, min($1.end, t) - max($1.start, t - 1)) / max(1, ($1.end - $1.start) / 2) }
            let cpu = 8 + 2 + 37 * hog + 20 * mediumShare + 4 * (random.next() - 0.5)
            let memory = 900 + 500 * hog + 10 * (random.next() - 0.5)
            dataset.hostPoints.append(.init(t: t, hostIndex: 0, cpuBusyPct: min(100, cpu), memUsedMB: memory, memTotalMB: 2048,
                cpuCount: 2))
        }
        return (dataset, t0, t0 + horizon)
    }

    @Test func theHogIsCreditedAndItsVictimsAreNot() throws {
        let (dataset, from, to) = Self.gvlDataset()
        let analysis = IncidentAnalyzer().analyze(dataset, from: from, to: to)
        func profile(_ name: String) throws -> ClassProfile { try #require(analysis.profiles.first { $0.jobClass == name }) }
        let hog = try profile("Scheduler::Trends::RefreshScheduler")
        let stream = try profile("DeliveryJob")
        let sleeper = try profile("RemoteFeedPollJob")
        let summary = analysis.profiles.prefix(4).map { "\($0.jobClass) \($0.score) cpu \($0.cpuAttribPP ?? -1) mem"
            + " \($0.memAttribMB ?? -1)" }
        #expect(hog.rank == 1, "\(summary)")
        #expect(hog.periodicity?.period == 60, "\(summary)")
        #expect(stream.periodicity == nil && (stream.streamRate ?? 0) > 4, "\(summary)")
        let hogCPU = try #require(hog.cpuAttribPP)
        #expect(abs(hogCPU - 37) <= 0.3 * 37, "\(summary)")
        #expect(abs(try #require(hog.memAttribMB) - 500) <= 0.3 * 500, "\(summary)")
        #expect((stream.cpuAttribPP ?? 0) <= 0.2 * hogCPU, "\(summary)")
        #expect((sleeper.cpuAttribPP ?? 0) <= 0.2 * hogCPU, "\(summary)")
        // The interval holds the estimate and is narrow on data this clean (it measures noise, not bias).
        let low = try #require(hog.cpuAttribLowPP), high = try #require(hog.cpuAttribHighPP)
        #expect(low <= hogCPU && hogCPU <= high && high - low < 5, "interval \(low)–\(high)")
        #expect(try #require(hog.memAttribLowMB) <= hog.memAttribMB! && hog.memAttribMB! <= hog.memAttribHighMB!)
    }

    @Test func classesThatAlwaysRunTogetherGetAJointEffect() throws {
        var dataset = IncidentDataset()
        var interner = IncidentDataset.Interner()
        let t0 = 1_795_000_000.0
        var random = Random(state: 5)
        for tick in stride(from: 0.0, to: 1800, by: 120) {
            let start = t0 + tick + 10 * random.next(), length = 30 + 2 * random.next()
            for name in ["AJob", "BJob"] {
                dataset.runs.append(.init(classIndex: interner.index(name), start: start, end: start + length, hostIndex: 0))
            }
        }
        dataset.runs.sort { ($0.start, $0.classIndex) < ($1.start, $1.classIndex) }
        dataset.classes = interner.names
        dataset.hosts = ["h"]
        for second in 1...1800 {
            let t = t0 + Double(second)
            let running = dataset.runs.filter { interner.names[Int($0.classIndex)] == "AJob" }
                .reduce(0.0) { $0 + max(0, min($1.end, t) - max($1.start, t - 1)) }
            dataset.hostPoints.append(.init(t: t, hostIndex: 0, cpuBusyPct: 10 + 30 * running + 2 * (random.next() - 0.5), cpuCount: 2))
        }
        let analysis = IncidentAnalyzer().analyze(dataset, from: t0, to: t0 + 1800)
        let a = try #require(analysis.profiles.first { $0.jobClass == "AJob" })
        #expect(a.attribJointWith == ["BJob"])
        #expect(abs(try #require(a.cpuAttribPP) - 30) < 3)
        let serialized = IncidentRenderer.json(analysis).serialized()
        let json = try #require(JSONSerialization.jsonObject(with: Data(serialized.utf8)) as? [String: Any])
        let suspect = try #require((json["suspects"] as? [[String: Any]])?.first { $0["class"] as? String == "AJob" })
        #expect(suspect["cpu_attrib_pp"] is NSNull, "no arbitrary split")
        let joint = try #require(suspect["joint_attribution"] as? [String: Any])
        #expect(joint["classes"] as? [String] == ["AJob", "BJob"])
        #expect(abs((joint["cpu_pp"] as? Double ?? 0) - 30) < 3)
        #expect(a.evidence.contains { $0.contains("cannot split their effect") })
    }
}


extension EvidenceTests {
    @Test func sidekiqCronsRealPollStillShowsTheMinute() {
        // Starts seen from sidekiq-cron 1.8 at its default poll (Sidekiq waits 15-45 s between polls), one
        // real run: 17:09:10.1, 17:10:27.1, 17:11:34.9, 17:12:13.7, 17:13:01.1 (intervals 77, 68, 39, 47 s).
        let minute = 1_796_400_540.0  // 17:09:00 on a minute boundary
        let starts = [10.1, 87.1, 154.9, 193.7, 241.1].map { minute + $0 }
        #expect(Periodicity.observed(starts)?.period == 60)
        // The same lateness on random minutes, two starts in one minute: not a schedule.
        #expect(Periodicity.observed([10.1, 47.1, 130.2, 250.3, 262.0].map { minute + $0 }) == nil)
    }
}
