/// Whether a class recurs on a schedule, and how we know: a scheduler's definition, or start times that
/// recur at a steady interval.
public struct Periodicity: Sendable, Equatable {
    public enum Source: String, Sendable {
        case sidekiqScheduler = "sidekiq-scheduler"
        case sidekiqCron = "sidekiq-cron"
        case observed
    }

    public var period: Double
    public var source: Source
    /// The schedule's name when a scheduler defines it.
    public var scheduleName: String?
    public var enabled: Bool?
    /// For observed periods: the share of intervals within ±20 % of the period.
    public var regularity: Double?

    public init(period: Double, source: Source, scheduleName: String? = nil, enabled: Bool? = nil, regularity: Double? = nil) {
        self.period = period
        self.source = source
        self.scheduleName = scheduleName
        self.enabled = enabled
        self.regularity = regularity
    }

    /// Minimum runs before start times alone can show a period.
    public static let minimumRuns = 3

    /// A scheduler's definition wins; otherwise the start times decide. `starts` must be ascending.
    public static func detect(jobClass: String, starts: [Double], schedules: [IncidentDataset.Schedule]) -> Periodicity? {
        let defined = schedules.filter { $0.jobClass == jobClass }
            .sorted { ($0.periodSeconds ?? .infinity, $0.name) < ($1.periodSeconds ?? .infinity, $1.name) }
        if let schedule = defined.first {
            let source: Source = schedule.source == "sidekiq-cron" ? .sidekiqCron : .sidekiqScheduler
            if let period = schedule.periodSeconds ?? observed(starts)?.period {
                return Periodicity(period: period, source: source, scheduleName: schedule.name, enabled: schedule.enabled)
            }
        }
        return observed(starts)
    }

    /// A steady interval between consecutive starts: at least `minimumRuns` runs, the median absolute
    /// deviation of the intervals within 10 % of their median, and two thirds of them within ±20 %.
    /// Runs started within a second of each other (a burst) count as one start.
    public static func observed(_ starts: [Double]) -> Periodicity? {
        guard starts.count >= minimumRuns else { return nil }
        var intervals: [Double] = []
        intervals.reserveCapacity(starts.count)
        var previous = starts[0]
        for start in starts.dropFirst() where start - previous >= 1 {
            intervals.append(start - previous)
            previous = start
        }
        guard intervals.count >= minimumRuns - 1 else { return nil }
        let sorted = intervals.sorted()
        let median = sorted[sorted.count / 2]
        guard median >= 1 else { return nil }
        let deviations = intervals.map { abs($0 - median) }.sorted()
        let mad = deviations[deviations.count / 2]
        let near = intervals.filter { abs($0 - median) <= 0.2 * median }.count
        let regularity = Double(near) / Double(intervals.count)
        guard mad <= 0.1 * median, regularity >= 2.0 / 3.0 else { return nil }
        return Periodicity(period: median, source: .observed, regularity: regularity)
    }
}
