#if canImport(Glibc)
import Glibc
#endif

/// Samples this Linux host from /proc: CPU shares since the previous sample, memory, swap, load, PSI, the
/// vmstat OOM/fault/swap counters and the boot id, and per-process CPU, RSS and memory cgroup (from
/// /sys/fs/cgroup) for Sidekiq processes running here.
public final class ProcHostSampler: HostSampling {
    private let root: String
    private let cgroups: CgroupMemoryReader
    private let threads: ThreadCPUReader
    /// A reboot ends the recorder, so one reading lasts its lifetime.
    private lazy var bootId: String? = read("sys/kernel/random/boot_id").map { $0.filter { !$0.isWhitespace } }
    private var previous: ProcCounters?
    private var previousProcess: [Int: (ticks: UInt64, at: Double)] = [:]
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private let pageKiB = sysconf(Int32(_SC_PAGESIZE)) / 1024

    /// - Parameters:
    ///   - root: where /proc is (a captured copy in tests).
    ///   - cgroupRoot: where the cgroup hierarchies are mounted (/sys/fs/cgroup, or a copy).
    public init(root: String = "/proc", cgroupRoot: String = "/sys/fs/cgroup") {
        self.root = root
        cgroups = CgroupMemoryReader(procRoot: root, cgroupRoot: cgroupRoot)
        threads = ThreadCPUReader(root: root)
    }

    /// Reads the host counters now; CPU shares cover the time since the previous call.
    public func sample(at time: Double, host: String) -> HostSample {
        var counters = ProcCounters()
        if let stat = read("stat") { counters.parseStat(stat[...]) }
        if let meminfo = read("meminfo") { counters.parseMeminfo(meminfo[...]) }
        if let loadavg = read("loadavg") { counters.parseLoadavg(loadavg[...]) }
        if let cpu = read("pressure/cpu") { counters.psiCPUSome = ProcCounters.parsePressure(cpu[...]).some }
        if let memory = read("pressure/memory") {
            let pressure = ProcCounters.parsePressure(memory[...])
            counters.psiMemorySome = pressure.some
            counters.psiMemoryFull = pressure.full
        }
        if let io = read("pressure/io") {
            let pressure = ProcCounters.parsePressure(io[...])
            counters.psiIOSome = pressure.some
            counters.psiIOFull = pressure.full
        }
        if let vmstat = FileReader.readAll(root + "/vmstat") { counters.parseVmstat(vmstat) }
        counters.bootId = bootId
        let sample = HostSample.fromProc(t: time, host: host, previous: previous, current: counters)
        previous = counters
        return sample
    }

    /// CPU percent of one core used by `pid` since the previous call for it, and its RSS; nil if it is not here.
    public func processUsage(pid: Int, at time: Double) -> (cpuPct: Double?, rssKiB: Int)? {
        guard let text = read("\(pid)/stat"), let counters = ProcessCPUCounters.parse(text[...]) else {
            previousProcess[pid] = nil
            cgroups.forget(pid: pid)
            return nil
        }
        var cpu: Double?
        if let last = previousProcess[pid], time > last.at, counters.cpuTicks >= last.ticks {
            cpu = Double(counters.cpuTicks - last.ticks) / ticksPerSecond / (time - last.at) * 100
        }
        previousProcess[pid] = (counters.cpuTicks, time)
        return (cpu, counters.rssPages * pageKiB)
    }

    public func cgroupMemory(pid: Int, at time: Double) -> CgroupMemory? {
        // A limit at or above the host's RAM never binds: it counts as none.
        cgroups.memory(pid: pid, at: time, hostMemoryBytes: previous?.memTotalKiB.map { UInt64($0) * 1024 })
    }

    public func threadCPU(pid: Int) -> [ThreadCPUReading]? {
        threads.read(pid: pid)
    }

    /// This machine's host name, as Sidekiq writes it into identities (`Socket.gethostname`).
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// When this machine booted (`btime` in /proc/stat), epoch seconds: what `dmesg` times count from.
    public static func bootTime(root: String = "/proc") -> Double? {
        guard let stat = FileReader.readAll(root + "/stat").map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") { return Double(line.dropFirst(6)) }
        return nil
    }

    private func read(_ name: String) -> String? {
        FileReader.readAll(root + "/" + name).map { String(decoding: $0, as: UTF8.self) }
    }
}

// Keeps per-process history; used by the recorder's one thread.
@available(*, unavailable)
extension ProcHostSampler: Sendable {}
