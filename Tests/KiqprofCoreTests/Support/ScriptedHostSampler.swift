@testable import KiqprofCore

/// A host sampler that returns fixed values and remembers when it was asked.
final class ScriptedHostSampler: HostSampling {
    /// pid → the CPU and RSS `processUsage` reports; pids not listed are not on this host.
    var usage: [Int: (cpuPct: Double?, rssKiB: Int)] = [:]
    private(set) var sampledAt: [Double] = []
    /// Sets more of each host sample (vmstat counters, boot id).
    var decorate: ((inout HostSample) -> Void)?
    /// pid → the memory cgroup `cgroupMemory` reports, as a function of time.
    var cgroups: [Int: (Double) -> CgroupMemory?] = [:]

    func sample(at time: Double, host: String) -> HostSample {
        sampledAt.append(time)
        var sample = HostSample(t: time, host: host, source: .proc)
        sample.cpuIdlePct = 60
        decorate?(&sample)
        return sample
    }

    func processUsage(pid: Int, at time: Double) -> (cpuPct: Double?, rssKiB: Int)? {
        usage[pid]
    }

    func cgroupMemory(pid: Int, at time: Double) -> CgroupMemory? {
        cgroups[pid]?(time)
    }
}
