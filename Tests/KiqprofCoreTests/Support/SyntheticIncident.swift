import Foundation
import KiqprofCore

/// A generated day slice with a known truth: which class costs what. Deterministic (a fixed-seed LCG).
struct SyntheticIncident {
    struct Truth {
        var cpuPP: Double
        var memMB: Double
    }

    static let start = 1_795_000_000.0
    var dataset = IncidentDataset()
    var truth: [String: Truth] = [:]
    private var interner = IncidentDataset.Interner()
    private var seed: UInt64

    /// - Parameters:
    ///   - duration: seconds of data.
    ///   - withHostSamples: false leaves the store without host samples.
    ///   - pileUpAt: seconds after start when the hog's runs slow down and pile up into an outage.
    init(duration: Double = 7200, withHostSamples: Bool = true, pileUpAt: Double? = 3600, seed: UInt64 = 42) {
        self.seed = seed
        let t0 = Self.start
        // The periodic hog: every 60 s, 30 s per run, +45 pp CPU and +800 MB; slow (120 s) for 4 runs at pileUpAt.
        addPeriodic("Scheduler::Trends::RefreshScheduler", every: 60, offset: 0, duration: { t in
            if let pileUpAt, t >= t0 + pileUpAt && t < t0 + pileUpAt + 240 { return 120 }
            return 30
        }, horizon: duration, truth: Truth(cpuPP: 45, memMB: 800))
        // The long sleeper: fires at the same moments, runs 40 s, costs nothing.
        addPeriodic("LinkCrawlSleeperJob", every: 60, offset: 0, duration: { _ in 40 }, horizon: duration, truth: Truth(cpuPP: 0, memMB: 0))
        // Overlapping light periodic job: every 30 s, runs 45 s.
        addPeriodic("OverlappingLightJob", every: 30, offset: 7, duration: { _ in 45 }, horizon: duration, truth: Truth(cpuPP: 3,
            memMB: 10))
        // The heavy one-off: once, 120 s, +40 pp, +300 MB.
        add("BulkImportJob", start: t0 + 1234, end: t0 + 1354)
        truth["BulkImportJob"] = Truth(cpuPP: 40, memMB: 300)
        // The frequent tiny job: random arrivals about every 0.7 s, 50 ms each.
        var t = t0
        while t < t0 + duration {
            t += 0.7 * -log(max(1e-9, random()))
            add("PushDeliveryJob", start: t, end: t + 0.05)
        }
        truth["PushDeliveryJob"] = Truth(cpuPP: 0, memMB: 0)
        dataset.runs.sort { ($0.start, $0.classIndex) < ($1.start, $1.classIndex) }
        dataset.classes = interner.names
        dataset.hosts = ["mastodon.example"]
        if withHostSamples { sampleHost(duration: duration) }
    }

    private mutating func random() -> Double {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Double(seed >> 11) / Double(1 << 53)
    }

    private mutating func add(_ jobClass: String, start: Double, end: Double) {
        dataset.runs.append(.init(classIndex: interner.index(jobClass), start: start, end: end, identityIndex: -1, hostIndex: 0))
    }

    private mutating func addPeriodic(_ jobClass: String, every period: Double, offset: Double, duration: (Double) -> Double,
                                      horizon: Double, truth: Truth) {
        var t = Self.start + offset
        while t < Self.start + horizon {
            add(jobClass, start: t, end: t + duration(t))
            t += period
        }
        self.truth[jobClass] = truth
    }

    /// One sample a second: a 10 % baseline, each running class's true cost, and noise; capped at 100 %.
    private mutating func sampleHost(duration: Double) {
        let names = dataset.classes
        let runs = dataset.runs
        var active: [Int] = []
        var next = 0
        for second in 1...Int(duration) {
            let t = Self.start + Double(second)
            while next < runs.count && runs[next].start < t { active.append(next); next += 1 }
            active.removeAll { runs[$0].end <= t - 1 }
            var cpu = 10 + (random() - 0.5) * 6
            var memory = 900 + (random() - 0.5) * 20
            for index in active {
                let run = runs[index]
                let covered = min(run.end, t) - max(run.start, t - 1)
                guard covered > 0, let cost = truth[names[Int(run.classIndex)]] else { continue }
                cpu += cost.cpuPP * covered
                memory += cost.memMB * covered
            }
            dataset.hostPoints.append(.init(t: t, hostIndex: 0, cpuBusyPct: min(100, cpu), memUsedMB: memory, memTotalMB: 8192,
                                            memUsedPct: memory / 8192 * 100, load1: cpu / 50, cpuCount: 2))
        }
    }
}
