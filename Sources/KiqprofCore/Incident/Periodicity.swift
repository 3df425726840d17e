import Foundation

/// Whether a class recurs on a schedule, and how we know: a scheduler's definition, or start times that
/// keep to a grid. Schedulers enqueue late by up to one poll interval (sidekiq-cron 1.x polls every 30 s),
/// so a cron job's intervals scatter while its starts stay in one phase of the period: the test is the
/// phase of the starts against the grid, not only how steady the intervals are.
public struct Periodicity: Sendable, Equatable {
    /// A scheduler's definition, or start times alone.
    public enum Source: Sendable, Equatable {
        case scheduler(SchedulerKind)
        case observed

        public static let sidekiqScheduler = Source.scheduler(.sidekiqScheduler)
        public static let sidekiqCron = Source.scheduler(.sidekiqCron)

        /// `sidekiq-scheduler`, `sidekiq-cron` or `observed`, as JSON and the evidence name it.
        public var rawValue: String {
            switch self {
            case .scheduler(let kind): kind.rawValue
            case .observed: "observed"
            }
        }
    }

    public var period: Double
    public var source: Source
    /// The schedule's name when a scheduler defines it.
    public var scheduleName: String?
    public var enabled: Bool?
    /// For observed periods: the share of intervals within ±20 % of a whole number of periods.
    public var regularity: Double?
    /// How far apart in phase the starts fell against the period's grid (seconds): the enqueue jitter of
    /// the scheduler plus the wait in the queue. Nil with fewer than two starts.
    public var jitter: Double?

    public init(period: Double, source: Source, scheduleName: String? = nil, enabled: Bool? = nil, regularity: Double? = nil,
                jitter: Double? = nil) {
        self.period = period
        self.source = source
        self.scheduleName = scheduleName
        self.enabled = enabled
        self.regularity = regularity
        self.jitter = jitter
    }

    /// Minimum runs before start times alone can show a period.
    public static let minimumRuns = 3
    /// Recurrence faster than this is a stream of work, not a schedule.
    public static let minimumPeriod = 10.0
    /// Starts closer than this are one firing (a scheduler that enqueues a burst).
    public static let burstGap = 1.0
    /// The largest enqueue delay a scheduler plausibly adds: sidekiq-cron 1.x polls every 30 s on average,
    /// and Sidekiq's poller waits between half and one and a half of that (15–45 s), plus a little queueing.
    public static let maximumJitter = 50.0
    /// The chance that random starts would fit the grid as tightly, above which a grid is not believed.
    public static let chanceLevel = 0.05

    /// A scheduler's definition wins; otherwise the start times decide. `starts` must be ascending.
    public static func detect(jobClass: String, starts: [Double], schedules: [PeriodicSchedule]) -> Periodicity? {
        let defined = schedules.filter { $0.jobClass == jobClass }
            .sorted { ($0.periodSeconds ?? .infinity, $0.name) < ($1.periodSeconds ?? .infinity, $1.name) }
        if let schedule = defined.first {
            let source = Source.scheduler(schedule.source)
            if let period = schedule.periodSeconds ?? observed(starts)?.period {
                let firings = Self.firings(starts)
                return Periodicity(period: period, source: source, scheduleName: schedule.name, enabled: schedule.enabled,
                                   jitter: firings.count >= 2 ? phaseSpread(firings, period: period) : nil)
            }
        }
        return observed(starts)
    }

    /// A period seen in start times: at least `minimumRuns` firings at least `minimumPeriod` apart that keep
    /// to a grid of that period more tightly than random starts would by chance. For a cron step the grid
    /// is the wall clock's (`anchoredSpread`); otherwise its origin is free (`freeSpread`) and two thirds
    /// of the intervals must be one period long. Candidate grids: the round periods (cron steps) near the
    /// median and the mean interval, then the slope of start time against firing number. Steady intervals
    /// (median absolute deviation within 10 % of the median) also count.
    public static func observed(_ starts: [Double]) -> Periodicity? {
        let firings = Self.firings(starts)
        guard firings.count >= minimumRuns else { return nil }
        var intervals: [Double] = []
        intervals.reserveCapacity(firings.count - 1)
        for index in 1..<firings.count { intervals.append(firings[index] - firings[index - 1]) }
        let sorted = intervals.sorted()
        let median = sorted[sorted.count / 2]
        guard median >= minimumPeriod else { return nil }
        let mean = (firings[firings.count - 1] - firings[0]) / Double(intervals.count)

        var candidates: [Double] = []
        for interval in [median, mean] {
            if let round = roundPeriod(near: interval), !candidates.contains(round) { candidates.append(round) }
        }
        if let fitted = fittedPeriod(firings, guess: median), !candidates.contains(where: { abs($0 - fitted) < 1e-6 }) {
            candidates.append(fitted)
        }
        for period in candidates {
            let steps = intervals.map { max(1, ($0 / period).rounded()) }
            let spread: Double?
            if isWallClockStep(period) {
                spread = anchoredSpread(firings, period: period)
            } else {
                let single = steps.filter { $0 == 1 }.count
                spread = Double(single) >= 2.0 / 3.0 * Double(intervals.count) ? freeSpread(firings, period: period) : nil
            }
            guard let spread else { continue }
            let near = zip(intervals, steps).filter { abs($0 - $1 * period) <= 0.2 * period }.count
            return Periodicity(period: period, source: .observed, regularity: Double(near) / Double(intervals.count), jitter: spread)
        }

        let deviations = intervals.map { abs($0 - median) }.sorted()
        let mad = deviations[deviations.count / 2]
        let near = intervals.filter { abs($0 - median) <= 0.2 * median }.count
        let regularity = Double(near) / Double(intervals.count)
        guard mad <= 0.1 * median, regularity >= 2.0 / 3.0 else { return nil }
        return Periodicity(period: median, source: .observed, regularity: regularity, jitter: phaseSpread(firings, period: median))
    }

    /// A cron step that divides a quarter hour, so the time zone cannot shift its ticks.
    static func isWallClockStep(_ period: Double) -> Bool {
        (900 / period).rounded() == 900 / period
    }

    /// The spread of the starts' lateness after the wall-clock ticks of a cron step, when the starts look
    /// like a scheduler's: each in a tick's slot of its own (at most one per tick, two thirds of them in
    /// consecutive slots), between 2 s early and `maximumJitter` late, and random starts doing the same
    /// with less than `chanceLevel` probability: n starts in n distinct of the m slots they span
    /// (m!/((m−n)!·mⁿ)) and each within the lateness seen (((late + early)/P)ⁿ).
    static func anchoredSpread(_ firings: [Double], period: Double) -> Double? {
        let early = 2.0
        let slots = firings.map { (($0 + early) / period).rounded(.down) }
        var consecutive = 0
        for index in 1..<slots.count {
            guard slots[index] > slots[index - 1] else { return nil }
            if slots[index] == slots[index - 1] + 1 { consecutive += 1 }
        }
        guard Double(consecutive) >= 2.0 / 3.0 * Double(slots.count - 1) else { return nil }
        let lateness = zip(firings, slots).map { $0 - $1 * period }
        let latest = lateness.max()!, earliest = lateness.min()!
        guard latest <= min(maximumJitter, period - early) else { return nil }
        let n = Double(firings.count), spanned = slots[slots.count - 1] - slots[0] + 1
        var distinct = 1.0
        for k in 0..<firings.count { distinct *= (spanned - Double(k)) / spanned }
        let chance = distinct * pow((latest + early) / period, n)
        return chance <= chanceLevel ? latest - earliest : nil
    }

    /// The phase spread against a grid of unknown origin (a sidekiq-scheduler `every`, which counts from the
    /// scheduler's start): within `maximumJitter` and half the period, and tighter than `chanceLevel` allows
    /// random phases to fall (n points on a circle all within a fraction f of it: n·f^(n−1)).
    static func freeSpread(_ firings: [Double], period: Double) -> Double? {
        let spread = phaseSpread(firings, period: period)
        let chance = Double(firings.count) * pow(spread / period, Double(firings.count - 1))
        return spread <= min(maximumJitter, 0.5 * period) && chance <= chanceLevel ? spread : nil
    }

    /// The rate (runs per second) of a class that recurs without a period: at least `minimumStreamRuns`
    /// starts. Called only for classes found not periodic.
    public static func streamRate(_ starts: [Double]) -> Double? {
        guard starts.count >= minimumStreamRuns, let first = starts.first, let last = starts.last, last > first else { return nil }
        return Double(starts.count - 1) / (last - first)
    }

    public static let minimumStreamRuns = 10

    /// Starts with bursts merged: a start within `burstGap` of the firing before it belongs to that firing.
    static func firings(_ starts: [Double]) -> [Double] {
        guard var previous = starts.first else { return [] }
        var firings = [previous]
        for start in starts.dropFirst() where start - previous >= burstGap {
            firings.append(start)
            previous = start
        }
        return firings
    }

    /// The narrowest arc (seconds) holding every start's phase modulo the period: the period less the
    /// widest empty gap between consecutive phases around the circle.
    static func phaseSpread(_ starts: [Double], period: Double) -> Double {
        guard starts.count >= 2, period > 0 else { return 0 }
        let origin = starts[0]
        var phases = starts.map { ($0 - origin).truncatingRemainder(dividingBy: period) }.map { $0 < 0 ? $0 + period : $0 }
        phases.sort()
        var widestGap = phases[0] + period - phases[phases.count - 1]
        for index in 1..<phases.count { widestGap = max(widestGap, phases[index] - phases[index - 1]) }
        return max(0, period - widestGap)
    }

    /// The cron-like period within ±15 % of `interval`: a divisor of a minute, a whole number of minutes
    /// that divides an hour or a whole number of hours that divides a day, or a day.
    static func roundPeriod(near interval: Double) -> Double? {
        let grid: [Double] = [10, 12, 15, 20, 30, 60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800,
                              3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400]
        let best = grid.min { abs($0 - interval) < abs($1 - interval) }!
        return abs(best - interval) <= 0.15 * best ? best : nil
    }

    /// The least-squares slope of firing time against firing number, numbering each firing by whole
    /// periods of `guess` since the first (so a missed firing does not bend the fit).
    static func fittedPeriod(_ firings: [Double], guess: Double) -> Double? {
        guard firings.count >= 2, guess > 0 else { return nil }
        var numbers: [Double] = [0]
        for index in 1..<firings.count {
            let steps = max(1, ((firings[index] - firings[index - 1]) / guess).rounded())
            numbers.append(numbers[index - 1] + steps)
        }
        let n = Double(firings.count)
        let meanK = numbers.reduce(0, +) / n, meanT = firings.reduce(0, +) / n
        var covariance = 0.0, variance = 0.0
        for (k, t) in zip(numbers, firings) {
            covariance += (k - meanK) * (t - meanT)
            variance += (k - meanK) * (k - meanK)
        }
        guard variance > 0 else { return nil }
        let slope = covariance / variance
        return slope >= minimumPeriod ? slope : nil
    }
}
