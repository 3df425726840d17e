/// What the analysis measured for one job class over the window: the numbers behind a suspect.
public struct ClassProfile: Sendable, Equatable {
    public var jobClass: String
    /// Runs that overlap the window.
    public var runs = 0
    public var failed = 0
    public var lost = 0
    /// Runs with no known end (still running, or their process died without a trace).
    public var open = 0
    /// Durations of runs with a known end.
    public var p50: Double?
    public var p95: Double?
    public var max: Double?
    /// Seconds of run time inside the window, and its share of all classes' run time.
    public var busySeconds = 0.0
    public var busyShare = 0.0
    public var maxConcurrency = 0
    public var periodicity: Periodicity?
    /// For a class that recurs without a schedule (≥ 10 starts, not periodic): its runs per second.
    public var streamRate: Double?
    /// Runs that started while an earlier run of the same class was still going (pile-up).
    public var overlaps = 0
    /// p95 duration over the period: near or above 1 means runs pile up.
    public var durationToPeriod: Double?

    /// Host CPU (percentage points of the whole host) and memory (MiB) while the class runs, against
    /// while it does not.
    public var cpuLiftPP: Double?
    public var memLiftMB: Double?
    /// What one running instance adds when every class running at the same time is accounted for.
    public var cpuAttribPP: Double?
    public var memAttribMB: Double?
    /// 95 % bootstrap intervals of the attributions (nil with too few blocks of time to resample).
    public var cpuAttribLowPP: Double?
    public var cpuAttribHighPP: Double?
    public var memAttribLowMB: Double?
    public var memAttribHighMB: Double?
    /// Classes whose runs move with this one's so closely that the data cannot split their effect; the
    /// attribution is then the joint effect of all of them, not this class's own.
    public var attribJointWith: [String] = []
    /// The run length the attribution counts a run's work by: the class's lower-quartile duration (with at
    /// least 4 runs). A run stretched beyond it counts as that much work spread over its length.
    public var nominalDuration: Double?
    /// Sample intervals the class was running in (weighted by concurrency), for CPU samples.
    public var cpuSampleExposure = 0.0
    public var memSampleExposure = 0.0
    /// Host CPU and memory use while it ran (means), for context.
    public var hostCPUWhileRunningPct: Double?
    public var hostMemWhileRunningMB: Double?

    /// CPU (percent of one core) of the Sidekiq process that ran it, while it ran, and the difference
    /// to that process's CPU while it did not.
    public var processCPUPct: Double?
    public var processCPULiftPP: Double?
    /// Whether `cpuAttribPP` (and its interval) comes from the per-process fit; `hostCPUAttribPP` then keeps
    /// the host-level fit as a cross-check.
    public var cpuAttribFromProcess = false
    public var hostCPUAttribPP: Double?
    /// The CPU `record` measured for its runs (nil when the store holds no measured CPU at all); where it covers
    /// enough of its run time, the first CPU evidence and the CPU part of the score.
    public var measuredCPU: MeasuredCPU.ClassCPU?
    /// RSS growth of that process from just before a run to just after it: median and largest.
    public var rssGrowthMB: Double?
    public var rssGrowthMaxMB: Double?
    public var rssGrowthRuns = 0

    /// Outage windows it was running in (from `leadTime` before the onset to the end).
    /// The OOM kills that took down a process while it ran one of this class's runs.
    public var inFlightAtOOMKills: [OOMKill] = []
    public var inOutageWindows = 0
    public var runningAtOnset = 0
    public var startedBeforeOnset = 0

    public var score = 0.0
    public var rank = 0
    public var evidence: [String] = []
    /// A sentence of context for a known class name (never part of the score).
    public var context: String?

    public init(jobClass: String) {
        self.jobClass = jobClass
    }
}
