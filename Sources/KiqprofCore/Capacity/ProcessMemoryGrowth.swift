/// How one Sidekiq process's RSS moved over the window, from `record`'s process samples: where it started and
/// ended, its peak, the largest fall from a running peak, and the runs it finished, so bloat reads per run.
public struct ProcessMemoryGrowth: Sendable, Equatable {
    public var identity: String
    public var samples = 0
    public var firstAt = 0.0
    public var lastAt = 0.0
    public var firstRSSMB = 0.0
    public var lastRSSMB = 0.0
    public var minimumRSSMB = 0.0
    public var peakRSSMB = 0.0
    /// The largest fall below the highest RSS seen before it: near zero when memory is never handed back.
    public var largestDropMB = 0.0
    /// Runs this process finished inside the window.
    public var runs = 0
    /// Sidekiq's thread count from its heartbeat, the largest seen.
    public var concurrency: Int?

    public init(identity: String) {
        self.identity = identity
    }

    public var growthMB: Double { lastRSSMB - firstRSSMB }
    public var hours: Double { max(0, lastAt - firstAt) / 3600 }
    public var growthPerHourMB: Double? { hours > 0 ? growthMB / hours : nil }
    public var growthPerRunMB: Double? { runs > 0 ? growthMB / Double(runs) : nil }
    /// Grew by at least 32 MB and 10 % of where it started.
    public var isGrowing: Bool { growthMB >= max(32, 0.1 * firstRSSMB) }
    /// Grew, and never fell more than 16 MB or 5 % below a peak: Ruby is not giving memory back.
    public var onlyGrows: Bool { isGrowing && largestDropMB <= max(16, 0.05 * peakRSSMB) }

    /// One entry per process with RSS samples in [from, to], in order of first appearance.
    public static func measure(_ dataset: IncidentDataset, from: Double, to: Double) -> [ProcessMemoryGrowth] {
        var byIdentity: [Int32: ProcessMemoryGrowth] = [:]
        var order: [Int32] = []
        for point in dataset.processPoints where point.t >= from && point.t <= to {
            guard let rss = point.rssMB else { continue }
            let key = point.identityIndex
            var growth = byIdentity[key] ?? {
                order.append(key)
                var fresh = ProcessMemoryGrowth(identity: key >= 0 && Int(key) < dataset.identities.count
                                                    ? dataset.identities[Int(key)] : "?")
                fresh.firstAt = point.t
                fresh.firstRSSMB = rss
                fresh.minimumRSSMB = rss
                return fresh
            }()
            growth.samples += 1
            growth.lastAt = point.t
            growth.lastRSSMB = rss
            growth.minimumRSSMB = min(growth.minimumRSSMB, rss)
            growth.largestDropMB = max(growth.largestDropMB, growth.peakRSSMB - rss)
            growth.peakRSSMB = max(growth.peakRSSMB, rss)
            if let threads = point.concurrency { growth.concurrency = max(growth.concurrency ?? 0, threads) }
            byIdentity[key] = growth
        }
        for run in dataset.runs where !run.isOpen && run.end >= from && run.end <= to && run.identityIndex >= 0 {
            byIdentity[run.identityIndex]?.runs += 1
        }
        return order.compactMap { byIdentity[$0] }
    }
}
