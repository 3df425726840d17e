/// Host resources at one instant, from kiqprof's /proc sampler or an import (sar, CloudWatch, Prometheus, CSV):
/// what the sampler and the importers make, the store keeps (`host_sample`), and the analysis reduces.
public struct HostSample: Codable, Sendable, Equatable {
    public var t: Double
    public var host: String
    public var source: HostSampleSource
    public var cpuUserPct: Double?
    public var cpuSystemPct: Double?
    public var cpuIowaitPct: Double?
    public var cpuStealPct: Double?
    public var cpuIdlePct: Double?
    public var cpuCount: Int?
    public var load1: Double?
    public var load5: Double?
    public var load15: Double?
    public var memTotalKiB: Int?
    public var memAvailableKiB: Int?
    public var swapTotalKiB: Int?
    public var swapFreeKiB: Int?
    public var psiCPUSomeAvg10: Double?
    public var psiMemorySomeAvg10: Double?
    public var psiMemoryFullAvg10: Double?
    public var psiIOSomeAvg10: Double?
    public var psiIOFullAvg10: Double?
    public var importId: Int64?
    /// For sources that only report a total (CloudWatch CPUUtilization); derived from idle otherwise.
    public var cpuBusyReportedPct: Double?
    /// For sources that only report a percentage (CloudWatch mem_used_percent); derived from kiB otherwise.
    public var memUsedReportedPct: Double?
    /// EC2 burstable instances: CPU credits left (CloudWatch CPUCreditBalance).
    public var cpuCreditBalance: Double?
    /// /proc/vmstat counters as read (cumulative since boot; the analysis takes differences within one boot).
    public var oomKills: Int64?
    public var majorFaults: Int64?
    public var swapIns: Int64?
    public var swapOuts: Int64?
    /// The kernel's boot id and boot time (epoch seconds): a different id is a reboot.
    public var bootId: String?
    public var bootTime: Double?

    enum CodingKeys: String, CodingKey {
        case t, host, source, cpuUserPct = "cpu_user_pct", cpuSystemPct = "cpu_system_pct", cpuIowaitPct = "cpu_iowait_pct"
        case cpuStealPct = "cpu_steal_pct", cpuIdlePct = "cpu_idle_pct", cpuCount = "cpu_count", load1, load5, load15
        case memTotalKiB = "mem_total_kib", memAvailableKiB = "mem_available_kib", swapTotalKiB = "swap_total_kib"
        case swapFreeKiB = "swap_free_kib", psiCPUSomeAvg10 = "psi_cpu_some_avg10", psiMemorySomeAvg10 = "psi_memory_some_avg10"
        case psiMemoryFullAvg10 = "psi_memory_full_avg10", psiIOSomeAvg10 = "psi_io_some_avg10", psiIOFullAvg10 = "psi_io_full_avg10"
        case importId = "import_id", cpuBusyReportedPct = "cpu_busy_pct", memUsedReportedPct = "mem_used_pct"
        case cpuCreditBalance = "cpu_credit_balance"
        case oomKills = "oom_kills", majorFaults = "pgmajfault", swapIns = "pswpin", swapOuts = "pswpout", bootId = "boot_id"
        case bootTime = "boot_time"
    }

    public init(t: Double, host: String, source: HostSampleSource) {
        self.t = t
        self.host = host
        self.source = source
    }

    /// CPU busy share (100 − idle − iowait), percent of all CPUs; nil when unknown.
    public var cpuBusyPct: Double? {
        guard let idle = cpuIdlePct else { return cpuBusyReportedPct }
        return max(0, 100 - idle - (cpuIowaitPct ?? 0))
    }

    /// Memory in use (100 − available/total), percent; nil when unknown.
    public var memUsedPct: Double? {
        guard let total = memTotalKiB, let available = memAvailableKiB, total > 0 else { return memUsedReportedPct }
        return max(0, 100 - Double(available) / Double(total) * 100)
    }

    /// A /proc sample: CPU shares over the interval between two counter readings, the rest as read now.
    public static func fromProc(t: Double, host: String, previous: ProcCounters?, current: ProcCounters) -> HostSample {
        var sample = HostSample(t: t, host: host, source: .proc)
        if let previous, previous.cpuTicks.count >= 5, current.cpuTicks.count >= 5 {
            let deltas = zip(current.cpuTicks, previous.cpuTicks).map { $0 >= $1 ? Double($0 - $1) : 0 }
            let total = deltas.reduce(0, +)
            if total > 0 {
                func share(_ index: Int) -> Double { index < deltas.count ? deltas[index] / total * 100 : 0 }
                sample.cpuUserPct = share(0) + share(1)
                sample.cpuSystemPct = share(2) + share(5) + share(6)
                sample.cpuIdlePct = share(3)
                sample.cpuIowaitPct = share(4)
                sample.cpuStealPct = share(7)
            }
        }
        sample.cpuCount = current.cpuCount > 0 ? current.cpuCount : nil
        sample.load1 = current.load?.0
        sample.load5 = current.load?.1
        sample.load15 = current.load?.2
        sample.memTotalKiB = current.memTotalKiB
        sample.memAvailableKiB = current.memAvailableKiB
        sample.swapTotalKiB = current.swapTotalKiB
        sample.swapFreeKiB = current.swapFreeKiB
        sample.psiCPUSomeAvg10 = current.psiCPUSome
        sample.psiMemorySomeAvg10 = current.psiMemorySome
        sample.psiMemoryFullAvg10 = current.psiMemoryFull
        sample.psiIOSomeAvg10 = current.psiIOSome
        sample.psiIOFullAvg10 = current.psiIOFull
        sample.oomKills = current.oomKills
        sample.majorFaults = current.majorFaults
        sample.swapIns = current.swapIns
        sample.swapOuts = current.swapOuts
        sample.bootId = current.bootId
        sample.bootTime = current.bootTime
        return sample
    }
}
