import Foundation

/// One check of `kiqprof check`: its name (the perfdata label and the `--warn NAME=VALUE` key), its unit,
/// its default thresholds, and whether lower values are the bad ones.
public enum CheckKind: String, Sendable, CaseIterable, Equatable {
    case heartbeatAge = "heartbeat_age"
    case goneBusy = "gone_busy"
    case queueLatency = "queue_latency"
    case retryGrowth = "retry_growth"
    case deadGrowth = "dead_growth"
    case slowJob = "slow_job"
    case periodicLate = "periodic_late"
    case periodicOverlap = "periodic_overlap"
    case memAvailable = "mem_available"
    case swapUsed = "swap_used"
    case psiMemory = "psi_memory"
    case psiCPU = "psi_cpu"
    case cpuSaturated = "cpu_saturated"
    case storeAge = "store_age"
    case periodicGrowth = "periodic_growth"
    case memExhaustion = "mem_exhaustion"

    public enum Unit: String, Sendable {
        case seconds = "s"
        case percent = "%"
        case count = ""
        /// A multiple (elapsed over p95, elapsed over the period).
        case ratio = "x"
        case perHour = "/h"
    }

    public var unit: Unit {
        switch self {
        case .heartbeatAge, .queueLatency, .cpuSaturated, .storeAge, .memExhaustion: .seconds
        case .memAvailable, .swapUsed, .psiMemory, .psiCPU: .percent
        case .goneBusy, .periodicOverlap, .periodicGrowth: .count
        case .slowJob, .periodicLate: .ratio
        case .retryGrowth, .deadGrowth: .perHour
        }
    }

    /// Lower is worse: memory available, runs or seconds left before a forecast comes true.
    public var lowerIsWorse: Bool { self == .memAvailable || self == .periodicGrowth || self == .memExhaustion }

    /// The defaults the README documents. `store_age`'s depend on the recorder's interval (see `HealthCheck`);
    /// the forecasts only ever warn.
    public var defaultWarn: Double? {
        switch self {
        case .heartbeatAge: 30
        case .goneBusy: 1
        case .queueLatency: 60
        case .retryGrowth: 100
        case .deadGrowth: 10
        case .slowJob: 3
        case .periodicLate: 1
        case .periodicOverlap: 2
        case .memAvailable: 10
        case .swapUsed: 50
        case .psiMemory: 10
        case .psiCPU: 60
        case .cpuSaturated: 60
        case .storeAge: nil
        case .periodicGrowth: Double(EarlyWarningForecaster.horizonRuns)
        case .memExhaustion: EarlyWarningForecaster.memoryHorizon
        }
    }

    public var defaultCrit: Double? {
        switch self {
        case .heartbeatAge: 60
        case .goneBusy: 2
        case .queueLatency: 300
        case .retryGrowth: 1000
        case .deadGrowth: 100
        case .slowJob: 10
        case .periodicLate: 2
        case .periodicOverlap: 3
        case .memAvailable: 5
        case .swapUsed: 90
        case .psiMemory: 30
        case .psiCPU: 90
        case .cpuSaturated: 300
        case .storeAge, .periodicGrowth, .memExhaustion: nil
        }
    }

    /// Whether the value reaches a threshold.
    public func reaches(_ value: Double, _ threshold: Double?) -> Bool {
        guard let threshold else { return false }
        return lowerIsWorse ? value <= threshold : value >= threshold
    }

    /// A value in this check's unit, for sentences: `412s` → `6m52s`, `7.5 %`, `3.2x`.
    public func format(_ value: Double) -> String {
        switch unit {
        case .seconds: DurationExpression.humanize(value)
        case .percent: "\(NumberText.compact(value)) %"
        case .count: NumberText.compact(value)
        case .ratio: "\(NumberText.compact(value))x"
        case .perHour: "\(NumberText.signed(value))/h"
        }
    }

    /// Parses a threshold given on the command line: a duration for time checks, else a number.
    public func parseThreshold(_ text: String) throws -> Double {
        if unit == .seconds { return try DurationExpression.parse(text) }
        guard let value = Double(text.trimmingWhitespace().replacingOccurrences(of: "%", with: "")), value.isFinite else {
            throw KiqprofError.invalidArgument("\(rawValue)='\(text)': expected a number")
        }
        return value
    }
}
