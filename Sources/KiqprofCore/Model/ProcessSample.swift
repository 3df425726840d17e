/// One Sidekiq process at one poll: what its heartbeat says (busy, concurrency, Sidekiq's RSS, Redis round
/// trip) and, where it runs on this host, its own CPU and RSS from /proc. The recorder makes it, the store
/// keeps it (`process_sample`), and the analysis reduces it to `IncidentDataset.ProcessPoint`.
public struct ProcessSample: Sendable, Equatable {
    public var t: Double, identity: String, host: String?, pid: Int?, busy: Int?, concurrency: Int?
    /// Sidekiq's own RSS report (heartbeat), in KiB, and the Redis round trip it measured.
    public var rssKiB: Int?, rttMicros: Int?, beat: Double?, quiet: Bool?
    /// Percent of one core, and RSS in KiB, from /proc when the process runs on this host.
    public var cpuPct: Double?, procRssKiB: Int?
    /// CPU seconds all its job (processor) threads used since the previous poll, from /proc/PID/task: what
    /// measured runs do not explain is job CPU of runs too short to be seen.
    public var jobCPUSeconds: Double? = nil
    /// The memory cgroup that holds (or, through an ancestor's limit, bounds) a local process, as read from
    /// /sys/fs/cgroup: its path, usage and inactive page cache (KiB), limit (KiB; nil when unlimited), and the
    /// kernel's counts of hitting the limit and of OOM kills in it.
    public var cgroupPath: String? = nil, cgroupUsageKiB: Int? = nil, cgroupInactiveFileKiB: Int? = nil
    public var cgroupLimitKiB: Int? = nil, cgroupLimitHits: Int64? = nil, cgroupOOMKills: Int64? = nil
    /// v2 `oom` and `high` events (cumulative), and v1's `under_oom` flag.
    public var cgroupOOMEvents: Int64? = nil, cgroupHighEvents: Int64? = nil, cgroupUnderOOM: Bool? = nil
}
