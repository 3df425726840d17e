import Foundation
import Testing
@testable import KiqprofCore

/// Which kernel thread runs each Sidekiq thread: the evidence one run gives (likelihood ratios worked out from
/// the patterns' odds in the comments), and the assignment with its margin over runs.
@Suite("thread CPU: learning which kernel thread runs a Sidekiq thread")
struct ThreadMappingLearnerTests {
    /// One character per span between 1 s polls: H heavy (1 CPU/s), L light (0.1), W waiting (0.001 CPU/s but
    /// scheduled), D dormant (not scheduled).
    static func series(_ threads: [Int: String]) -> ThreadCPUSeries {
        var series = ThreadCPUSeries(horizon: 1000)
        var cpu = [Int: Double](), slices = [Int: Double]()
        let polls = threads.values.map(\.count).max() ?? 0
        for poll in 0...polls {
            var readings: [ThreadCPUReading] = []
            for (tid, pattern) in threads.sorted(by: { $0.key < $1.key }) {
                if poll > 0 {
                    let step: (Double, Double) = switch Array(pattern)[poll - 1] {
                    case "H": (1, 50)
                    case "L": (0.1, 10)
                    case "W": (0.001, 1)
                    default: (0, 0)
                    }
                    cpu[tid, default: 0] += step.0
                    slices[tid, default: 0] += step.1
                }
                readings.append(ThreadCPUReading(tid: tid, name: "sidekiq.default", cpuSeconds: cpu[tid, default: 0],
                                                 timeslices: slices[tid, default: 0]))
            }
            series.append(at: Double(poll), readings: readings)
        }
        return series
    }

    // The three patterns' odds of heavy, waiting and dormant: CPU-bound, some CPU, sleeping. Weights 0.3 each,
    // 0.1 for a run whose thread looks like any other.
    static let heavyOdds = [0.85, 0.15, 0.02]
    static let waitingOdds = [0.03, 0.05, 0.10]
    static let dormantOdds = [0.03, 0.05, 0.85]

    /// One run's evidence mixed as for a class whose patterns are not learned yet: weights 0.3 each, 0.1 for
    /// a run that looks like any other.
    static func mixed(_ ratios: [Int: [Double]]) -> [Int: Double] {
        ratios.mapValues { log(0.1 + $0.reduce(0) { $0 + 0.3 * exp($1) }) }
    }

    /// Per-pattern ratios that mix to `scores` (each above log 0.1) for a class not learned yet.
    static func flat(_ scores: [Int: Double]) -> [Int: [Double]] {
        scores.mapValues { score in [Double](repeating: log((exp(score) - 0.1) / 0.9), count: 3) }
    }

    static func near(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) < 1e-9
    }

    @Test func aHogsThreadGainsAndAWaitingThreadLoses() {
        // Four polls: 11 heavy, 12 and 13 waiting. At large, heavy is (1 + 0.25) / (3 + 1) = 0.3125 and waiting
        // 2.25 / 4 = 0.5625.
        let series = Self.series([11: "HHHH", 12: "WWWW", 13: "WWWW"])
        let evidence = Self.mixed(ThreadMappingLearner.evidence(of: series, certain: 1..<5, bracket: 5..<5))
        let hog = log(0.1 + (0..<3).reduce(0) { $0 + 0.3 * pow(Self.heavyOdds[$1] / 0.3125, 4) })
        let waiting = log(0.1 + (0..<3).reduce(0) { $0 + 0.3 * pow(Self.waitingOdds[$1] / 0.5625, 4) })
        #expect(Self.near(evidence[11], hog) && Self.near(evidence[12], waiting) && Self.near(evidence[13], waiting))
        #expect(hog > 2.8 && waiting < -2.29)  // log 16.5 and log 0.1003
    }

    @Test func aSleepersThreadGainsToo() {
        // 12 not scheduled at all while the others wait: at large dormant is 1.25 / 4.
        let series = Self.series([11: "WWW", 12: "DDD", 13: "WWW"])
        let evidence = Self.mixed(ThreadMappingLearner.evidence(of: series, certain: 1..<4, bracket: 4..<4))
        let sleeper = log(0.1 + (0..<3).reduce(0) { $0 + 0.3 * pow(Self.dormantOdds[$1] / 0.3125, 3) })
        #expect(Self.near(evidence[12], sleeper) && sleeper > 1.8)  // log 6.14
        #expect(evidence[11]! < -2.2 && evidence[11] == evidence[13])
    }

    @Test func bracketPollsWeighEachStoppingPointAlike() {
        // Two sure polls, then a bracket of two: 11 is heavy in the first and waiting in the second, when all
        // three wait (at large 3.25 / 4). The run stops after 0, 1 or 2 bracket polls, a third each.
        let series = Self.series([11: "HHHW", 12: "WWWW", 13: "WWWW"])
        let evidence = Self.mixed(ThreadMappingLearner.evidence(of: series, certain: 1..<3, bracket: 3..<5))
        func expected(_ sure: [Double], _ atLargeSure: Double, _ last: [Double]) -> Double {
            log(0.1 + (0..<3).reduce(0) { sum, p in
                let r = sure[p] / atLargeSure
                return sum + 0.3 * r * r * (1 + r + r * last[p] / 0.8125) / 3
            })
        }
        #expect(Self.near(evidence[11], expected(Self.heavyOdds, 0.3125, Self.waitingOdds)))
        #expect(Self.near(evidence[12], expected(Self.waitingOdds, 0.5625, Self.waitingOdds)))
        #expect(evidence[11]! > 0 && evidence[12]! < 0)
        // Nothing to weigh: no evidence.
        #expect(ThreadMappingLearner.evidence(of: series, certain: 3..<3, bracket: 3..<3).isEmpty)
    }

    @Test func theAssignmentsMarginIsWhatForbiddingThePairCosts() throws {
        var learner = ThreadMappingLearner()
        let unknown = learner.mapping(of: "A", concurrency: 3)
        #expect(!learner.knows("A") && unknown == nil)
        learner.add(sidekiqTid: "A", jobClass: "Job", evidence: [:])
        #expect(!learner.knows("A"))
        learner.add(sidekiqTid: "A", jobClass: "Job", evidence: Self.flat([11: 3, 12: -2, 13: -2]))
        learner.add(sidekiqTid: "B", jobClass: "Job", evidence: Self.flat([11: -2, 12: 2.5, 13: -1]))
        #expect(learner.knows("A") && learner.knows("B"))
        // Best: A → 11, B → 12, the unseen third thread → 13: 5.5. Without A → 11 the best is A → 13, B → 12: 0.5.
        let aMapping = learner.mapping(of: "A", concurrency: 3)
        let a = try #require(aMapping)
        #expect(a.tid == 11 && Self.near(a.margin, 5))
        #expect(ThreadMappingConfidence(margin: a.margin) == .likely)
        // Without B → 12: A → 11, B → 13: 2.
        let bMapping = learner.mapping(of: "B", concurrency: 3)
        let b = try #require(bMapping)
        #expect(b.tid == 12 && Self.near(b.margin, 3.5))
        // A second run of A like the first: 8.5 against -1.5.
        learner.add(sidekiqTid: "A", jobClass: "Job", evidence: Self.flat([11: 3, 12: -2, 13: -2]))
        let againMapping = learner.mapping(of: "A", concurrency: 3)
        let again = try #require(againMapping)
        #expect(again.tid == 11 && Self.near(again.margin, 10))
        #expect(ThreadMappingConfidence(margin: again.margin) == .sure)
        let twoThreads = learner.mapping(of: "B", concurrency: 2)
        #expect(Self.near(twoThreads?.margin, 3.5))
    }

    @Test func aThreadThatFitsNoKernelThreadIsLeftUnmapped() {
        var learner = ThreadMappingLearner()
        learner.add(sidekiqTid: "A", jobClass: "Job", evidence: Self.flat([11: -2, 12: -2, 13: -2]))
        // Five Sidekiq threads for three kernel threads read: a padding column (score 0) beats every real one.
        let padded = learner.mapping(of: "A", concurrency: 5)
        #expect(padded == nil)
        // With as many threads as read, A must take one, and any is as good: no margin.
        let forced = learner.mapping(of: "A", concurrency: 3)
        #expect(forced.map { [11, 12, 13].contains($0.tid) } == true && Self.near(forced?.margin, 0))
    }

    /// A (CPU-bound) runs on 11 over spans 3–8 and 23–28; B (asleep) on 12 over 12–18 and 32–38; 13 waits.
    static let hogAndSleeper = series([
        11: "WW" + "HHHHHH" + String(repeating: "W", count: 14) + "HHHHHH" + String(repeating: "W", count: 12),
        12: String(repeating: "W", count: 11) + "DDDDDDD" + String(repeating: "W", count: 13) + "DDDDDDD" + "WW",
        13: String(repeating: "W", count: 40),
    ])

    @Test func aHogAndASleeperAreMappedSurely() throws {
        let series = Self.hogAndSleeper
        var learner = ThreadMappingLearner()
        // A's first run: sure over spans 3–6, stopping somewhere in 7–9. B's: sure over 12–15, stopping in 16–19.
        let a1Ratios = ThreadMappingLearner.evidence(of: series, certain: 3..<7, bracket: 7..<10)
        let b1Ratios = ThreadMappingLearner.evidence(of: series, certain: 12..<16, bracket: 16..<20)
        let a1 = Self.mixed(a1Ratios), b1 = Self.mixed(b1Ratios)
        #expect(a1[11]! > 3 && a1[12]! < -2 && a1[13]! < -2)
        #expect(b1[12]! > 3 && b1[11]! < -2 && b1[13]! < -2)
        learner.add(sidekiqTid: "A", jobClass: "Hog", evidence: a1Ratios)
        learner.add(sidekiqTid: "B", jobClass: "Sleep", evidence: b1Ratios)
        // Both others wait alike in A's runs, so without A → 11 the best is A → 13 beside B → 12: the margin
        // is at least A's 11 against its 13 as an unlearned class weighs them (a learned Hog weighs 11 more).
        let firstMapping = learner.mapping(of: "A", concurrency: 3)
        let first = try #require(firstMapping)
        #expect(first.tid == 11 && first.margin >= a1[11]! - a1[13]! - 1e-9)
        let a2 = ThreadMappingLearner.evidence(of: series, certain: 23..<27, bracket: 27..<30)
        let b2 = ThreadMappingLearner.evidence(of: series, certain: 32..<36, bracket: 36..<40)
        learner.add(sidekiqTid: "A", jobClass: "Hog", evidence: a2)
        learner.add(sidekiqTid: "B", jobClass: "Sleep", evidence: b2)
        let aMapping = learner.mapping(of: "A", concurrency: 3)
        let a = try #require(aMapping)
        let bMapping = learner.mapping(of: "B", concurrency: 3)
        let b = try #require(bMapping)
        #expect(a.tid == 11 && a.margin >= ThreadMappingConfidence.sureMargin && a.margin > first.margin + 3)
        #expect(b.tid == 12 && b.margin >= ThreadMappingConfidence.sureMargin)
        #expect(ThreadMappingConfidence(margin: a.margin) == .sure)
    }

    @Test func twoHogsThatAlwaysOverlapStayAmbiguous() throws {
        // A on 11 and B on 12, CPU-bound over the same spans every time.
        let series = Self.series([11: "WWHHHHHHWWWWWHHHHHHWWW", 12: "WWHHHHHHWWWWWHHHHHHWWW", 13: String(repeating: "W", count: 22)])
        var learner = ThreadMappingLearner()
        for (certain, bracket) in [(3..<7, 7..<10), (14..<18, 18..<21)] {
            let ratios = ThreadMappingLearner.evidence(of: series, certain: certain, bracket: bracket)
            let evidence = Self.mixed(ratios)
            #expect(evidence[11] == evidence[12] && evidence[11]! > 0.5)  // heavy at large is 2.25 / 4 here: about log 1.9
            learner.add(sidekiqTid: "A", jobClass: "Hog", evidence: ratios)
            learner.add(sidekiqTid: "B", jobClass: "Hog", evidence: ratios)
        }
        let aMapping = learner.mapping(of: "A", concurrency: 3)
        let a = try #require(aMapping)
        #expect([11, 12].contains(a.tid) && abs(a.margin) < 1e-9 && ThreadMappingConfidence(margin: a.margin) == nil)
    }
}
