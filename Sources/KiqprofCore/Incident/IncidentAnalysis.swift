/// The result of `incident`: the windows, the ranked suspects with their evidence, a timeline, and
/// what data was missing.
public struct IncidentAnalysis: Sendable {
    public var from: Double
    public var to: Double
    public var outageWindows: [OutageWindow] = []
    /// Each OOM kill in the window: the Sidekiq process it was, the runs in flight, the restart.
    public var oomKills: [OOMKillFinding] = []
    /// Every class seen in the window, ranked (1 first).
    public var profiles: [ClassProfile] = []
    public var timeline: IncidentTimeline
    /// Sentences about absent data.
    public var missing: [String] = []
    /// Forecasts at the window's end: periodic classes growing toward their period, memory running out.
    public var earlyWarnings: [EarlyWarning] = []
    public var hostSampleCount = 0
    public var processSampleCount = 0
    public var runCount = 0
    public var hostMemoryTotalMB: Double?
    /// The memory cgroup limit Sidekiq ran under (`record`'s cgroup readings), where one applies.
    public var memoryLimitMB: Double?
    public var cpuCount: Int?
    /// The CPU `record` measured per run, over the window and the outage windows; nil when the store has none.
    public var measuredCPU: MeasuredCPU?
    public var thresholds: OutageThresholds

    public init(from: Double, to: Double, timeline: IncidentTimeline, thresholds: OutageThresholds) {
        self.from = from
        self.to = to
        self.timeline = timeline
        self.thresholds = thresholds
    }

    /// The memory a run's share is measured against: the cgroup limit where one applies, else the host's RAM.
    public var memoryBudgetMB: Double? { memoryLimitMB ?? hostMemoryTotalMB }

    /// The suspects worth showing: classes with a positive score.
    public var suspects: [ClassProfile] { profiles.filter { $0.score > 0 } }
}
