/// How the recorder samples the host it runs on: `ProcHostSampler` reads /proc, unit tests script it.
public protocol HostSampling: AnyObject {
    /// The host's resources now; CPU shares cover the time since the previous call.
    func sample(at time: Double, host: String) -> HostSample

    /// CPU percent of one core used by `pid` since the previous call for it, and its RSS; nil if it is not here.
    func processUsage(pid: Int, at time: Double) -> (cpuPct: Double?, rssKiB: Int)?

    /// The memory cgroup bounding local process `pid` (usage, limit, OOM kills); nil where none can be read.
    func cgroupMemory(pid: Int, at time: Double) -> CgroupMemory?

    /// CPU used so far by each thread of local process `pid`; nil if its threads cannot be read.
    func threadCPU(pid: Int) -> [ThreadCPUReading]?
}

extension HostSampling {
    /// Samplers that cannot read threads (scripted ones in tests) measure no run's CPU.
    public func threadCPU(pid: Int) -> [ThreadCPUReading]? { nil }
}
