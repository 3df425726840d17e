/// When the host or Sidekiq counts as down. The defaults are the documented ones (README, "Outage
/// windows"); each can be changed on the command line.
public struct OutageThresholds: Sendable, Equatable {
    /// CPU busy (100 − idle − iowait) at or above this percent…
    public var cpuBusyPct = 90.0
    /// …for at least this long.
    public var cpuMinimumDuration = 60.0
    /// MemAvailable at or below this percent of MemTotal.
    public var memAvailablePct = 5.0
    /// Swap in use growing for at least this long.
    public var swapMinimumDuration = 30.0
    /// Pressure stall information, where the kernel has it.
    public var psiCPUSomeAvg10 = 20.0
    public var psiMemoryFullAvg10 = 5.0
    /// A host sampling gap of this many typical intervals: a starved host cannot sample.
    public var samplingGapIntervals = 3.0
    /// A memory cgroup's working set (usage less inactive page cache) at or above this percent of its limit.
    public var cgroupUsagePct = 95.0
    /// A major-fault storm: at least this many major page faults a second, and at least `majorFaultFactor`
    /// times the host's median rate, for at least `majorFaultMinimumDuration` seconds.
    public var majorFaultRate = 200.0
    public var majorFaultFactor = 10.0
    public var majorFaultMinimumDuration = 10.0
    /// Queue latency at or above this many seconds.
    public var queueLatency = 60.0
    /// Windows closer than this are one window.
    public var mergeGap = 60.0
    /// A run that started this long before a window's onset counts as "started just before it".
    public var leadTime = 120.0

    public init() {}
}
