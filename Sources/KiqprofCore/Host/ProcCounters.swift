/// Raw counters read from Linux `/proc` at one instant; two of them give CPU percentages.
public struct ProcCounters: Sendable, Equatable {
    /// Aggregate `cpu` line of /proc/stat, in clock ticks: user, nice, system, idle, iowait, irq, softirq, steal.
    public var cpuTicks: [UInt64] = []
    public var cpuCount: Int = 0
    public var memTotalKiB: Int?
    public var memAvailableKiB: Int?
    public var swapTotalKiB: Int?
    public var swapFreeKiB: Int?
    public var load: (Double, Double, Double)?
    /// `some avg10` / `full avg10` of /proc/pressure/{cpu,memory,io}, where the kernel has PSI.
    public var psiCPUSome: Double?
    public var psiMemorySome: Double?
    public var psiMemoryFull: Double?
    public var psiIOSome: Double?
    public var psiIOFull: Double?
    /// Cumulative since boot, from /proc/vmstat: `oom_kill`, `pgmajfault`, `pswpin`, `pswpout`.
    public var oomKills: Int64?
    public var majorFaults: Int64?
    public var swapIns: Int64?
    public var swapOuts: Int64?
    /// `btime` of /proc/stat (epoch seconds) and /proc/sys/kernel/random/boot_id: a reboot changes both.
    public var bootTime: Double?
    public var bootId: String?

    public init() {}

    public static func == (lhs: ProcCounters, rhs: ProcCounters) -> Bool {
        lhs.cpuTicks == rhs.cpuTicks && lhs.memTotalKiB == rhs.memTotalKiB && lhs.memAvailableKiB == rhs.memAvailableKiB
            && lhs.load?.0 == rhs.load?.0 && lhs.psiCPUSome == rhs.psiCPUSome
    }

    /// Parses the aggregate `cpu` line, counts the `cpuN` lines and reads `btime` of /proc/stat.
    public mutating func parseStat(_ text: Substring) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("btime ") { bootTime = Double(line.dropFirst(6)) }
            guard line.hasPrefix("cpu") else { continue }
            let fields = line.split(separator: " ")
            if fields[0] == "cpu" {
                cpuTicks = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
            } else {
                cpuCount += 1
            }
        }
    }

    /// Parses MemTotal, MemAvailable, SwapTotal and SwapFree (kB) from /proc/meminfo.
    public mutating func parseMeminfo(_ text: Substring) {
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            let value = Int(line[line.index(after: colon)...].split(separator: " ").first ?? "")
            switch name {
            case "MemTotal": memTotalKiB = value
            case "MemAvailable": memAvailableKiB = value
            case "SwapTotal": swapTotalKiB = value
            case "SwapFree": swapFreeKiB = value
            default: break
            }
        }
    }

    /// Parses the OOM kill, major fault and swap counters of /proc/vmstat (`name value` lines).
    public mutating func parseVmstat(_ bytes: [UInt8]) {
        let values = KeyedCounters.values(bytes, keys: Self.vmstatKeys).map { $0.map { Int64(clamping: $0) } }
        (oomKills, majorFaults, swapIns, swapOuts) = (values[0], values[1], values[2], values[3])
    }

    static let vmstatKeys = ["oom_kill", "pgmajfault", "pswpin", "pswpout"].map { Array($0.utf8) }

    /// Parses the three load averages of /proc/loadavg.
    public mutating func parseLoadavg(_ text: Substring) {
        let fields = text.split(separator: " ")
        guard fields.count >= 3, let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2]) else { return }
        load = (one, five, fifteen)
    }

    /// Parses `some avg10=…` and `full avg10=…` of one /proc/pressure file.
    public static func parsePressure(_ text: Substring) -> (some: Double?, full: Double?) {
        var some: Double?
        var full: Double?
        for line in text.split(separator: "\n") {
            guard let avg = line.split(separator: " ").first(where: { $0.hasPrefix("avg10=") }) else { continue }
            let value = Double(avg.dropFirst(6))
            if line.hasPrefix("some") { some = value } else if line.hasPrefix("full") { full = value }
        }
        return (some, full)
    }
}
