@testable import KiqprofCore

/// A host sampler that returns fixed values and remembers when it was asked.
final class ScriptedHostSampler: HostSampling {
    /// pid → the CPU and RSS `processUsage` reports; pids not listed are not on this host.
    var usage: [Int: (cpuPct: Double?, rssKiB: Int)] = [:]
    private(set) var sampledAt: [Double] = []

    func sample(at time: Double, host: String) -> HostSample {
        sampledAt.append(time)
        var sample = HostSample(t: time, host: host, source: .proc)
        sample.cpuIdlePct = 60
        return sample
    }

    func processUsage(pid: Int, at time: Double) -> (cpuPct: Double?, rssKiB: Int)? {
        usage[pid]
    }
}
