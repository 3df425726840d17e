import Foundation

/// Predicts `EarlyWarning`s from recent history: pure functions over durations and memory samples.
public enum EarlyWarningForecaster {
    /// The runs a periodic trend is read from: enough to tell growth from noise, recent enough to be the trend.
    public static let trendRuns = 8
    public static let minimumTrendRuns = 4
    /// Growth below this per run is noise, not a trend.
    public static let minimumGrowth = 1.05
    /// Only warn when the overlap is this many runs away or closer.
    public static let horizonRuns = 12
    /// Memory: the trend is read over this much time before the newest sample, and warned about within the horizon.
    public static let memoryWindow = 600.0
    public static let memoryHorizon = 3600.0

    /// A periodic class whose durations (oldest first, closed runs only) grow geometrically: fits
    /// log(duration) against the run's index over the last `trendRuns`, and says when a run will outlast the period.
    public static func periodicGrowth(jobClass: String, period: Double, durations: [Double]) -> EarlyWarning? {
        let recent = Array(durations.suffix(trendRuns)).filter { $0 > 0 }
        guard period > 0, recent.count >= minimumTrendRuns, let last = recent.last, last < period else { return nil }
        let xs = recent.indices.map(Double.init)
        let ys = recent.map { Foundation.log($0) }
        guard let slope = leastSquaresSlope(xs: xs, ys: ys) else { return nil }
        let growth = Foundation.exp(slope)
        // Most steps must grow too: one long run after steady ones is an outlier, not a trend.
        let rising = zip(recent, recent.dropFirst()).filter { $1 > $0 }.count
        guard growth >= minimumGrowth, rising * 3 >= (recent.count - 1) * 2 else { return nil }
        let runs = Int((Foundation.log(period / last) / Foundation.log(growth)).rounded(.up))
        guard runs >= 1, runs <= horizonRuns else { return nil }
        let seconds = Double(runs) * period
        var warning = EarlyWarning(
            kind: .periodicOverlap, subject: jobClass, secondsLeft: seconds,
            message: "\(jobClass): duration grows \(NumberText.compact((growth - 1) * 100)) % a run "
                + "(last \(DurationExpression.humanize(last)), period \(DurationExpression.humanize(period))); at this rate "
                + "it overlaps its next run in about \(runs) run\(runs == 1 ? "" : "s") (\(approximate(seconds)))")
        warning.runsLeft = runs
        warning.growthPerRun = growth
        warning.period = period
        return warning
    }

    /// Available memory (MiB, oldest first) falling at the rate of the last `memoryWindow`: when it reaches zero.
    public static func memoryExhaustion(host: String, samples: [(t: Double, availableMB: Double)]) -> EarlyWarning? {
        guard let newest = samples.last else { return nil }
        let recent = samples.filter { $0.t >= newest.t - memoryWindow }
        guard recent.count >= 5, let first = recent.first, newest.t - first.t >= memoryWindow / 5 else { return nil }
        guard let rate = leastSquaresSlope(xs: recent.map(\.t), ys: recent.map(\.availableMB)), rate < 0 else { return nil }
        // Most of the window must be falling: a single drop then a plateau is not a rate to extrapolate.
        guard newest.availableMB < first.availableMB else { return nil }
        let seconds = max(0, newest.availableMB / -rate)
        guard seconds <= memoryHorizon else { return nil }
        let minutes = Int((memoryWindow / 60).rounded())
        var warning = EarlyWarning(
            kind: .memoryExhaustion, subject: host, secondsLeft: seconds,
            message: "\(host): memory available falls \(NumberText.compact(-rate * 60)) MB a minute "
                + "(\(NumberText.compact(newest.availableMB)) MB left); about \(approximate(seconds)) to exhaustion "
                + "at the last \(minutes) min's rate")
        warning.availableMB = newest.availableMB
        warning.rateMBPerSecond = rate
        return warning
    }

    /// The forecasts at the end of an analysed window: each periodic class's closed runs (by `classIndex`,
    /// matching `profiles`), and each host's available memory.
    public static func forecasts(runs: [IncidentDataset.Run], profiles: [ClassProfile], dataset: IncidentDataset,
                                 hostPoints: [IncidentDataset.HostPoint]) -> [EarlyWarning] {
        var durations = [[Double]](repeating: [], count: profiles.count)
        for run in runs where !run.isOpen && Int(run.classIndex) < profiles.count && profiles[Int(run.classIndex)].periodicity != nil {
            durations[Int(run.classIndex)].append(run.duration)
        }
        var warnings: [EarlyWarning] = []
        for (index, profile) in profiles.enumerated() {
            guard let period = profile.periodicity?.period,
                  let warning = periodicGrowth(jobClass: profile.jobClass, period: period, durations: durations[index]) else { continue }
            warnings.append(warning)
        }
        var memory: [Int32: [(t: Double, availableMB: Double)]] = [:]
        for point in hostPoints {
            guard let total = point.memTotalMB, let used = point.memUsedMB else { continue }
            memory[point.hostIndex, default: []].append((point.t, total - used))
        }
        for (hostIndex, samples) in memory.sorted(by: { $0.key < $1.key }) {
            let host = Int(hostIndex) < dataset.hosts.count && hostIndex >= 0 ? dataset.hosts[Int(hostIndex)] : "host"
            if let warning = memoryExhaustion(host: host, samples: samples) { warnings.append(warning) }
        }
        return warnings.sorted { $0.secondsLeft < $1.secondsLeft }
    }

    /// "25 min", "2 h", "1 d": a forecast is rough, so its time is too.
    public static func approximate(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        if seconds < 129_600 { return "\(NumberText.compact(seconds / 3600)) h" }
        return "\(NumberText.compact(seconds / 86400)) d"
    }

    static func leastSquaresSlope(xs: [Double], ys: [Double]) -> Double? {
        guard xs.count == ys.count, xs.count >= 2 else { return nil }
        let n = Double(xs.count)
        let meanX = xs.reduce(0, +) / n, meanY = ys.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for (x, y) in zip(xs, ys) {
            sxx += (x - meanX) * (x - meanX)
            sxy += (x - meanX) * (y - meanY)
        }
        return sxx > 0 ? sxy / sxx : nil
    }
}
