/// One memory cgroup at one instant: usage, limit and the kernel's counters of hitting it, from cgroup v1
/// (`memory.usage_in_bytes`, …) or v2 (`memory.current`, …). Parsing is pure: each function takes file
/// contents, so tests feed captured copies (Tests/Fixtures/cgroup).
public struct CgroupMemory: Sendable, Equatable {
    public enum Version: Int, Sendable { case v1 = 1, v2 = 2 }

    public var version: Version
    /// The cgroup inside its hierarchy, e.g. `/system.slice/sidekiq.service`.
    public var path: String
    /// Usage including page cache (v1 `memory.usage_in_bytes`, v2 `memory.current`).
    public var usageBytes: UInt64
    /// Page cache the kernel reclaims first (`inactive_file` of memory.stat).
    public var inactiveFileBytes: UInt64?
    /// nil when unlimited, including a limit at or above the host's RAM (v1's 9223372036854771712).
    public var limitBytes: UInt64?
    /// Times usage hit the limit: v1 `memory.failcnt`, v2 `max` of memory.events.
    public var limitHits: UInt64?
    /// Processes the OOM killer killed in it: `oom_kill` of v1 memory.oom_control (Linux 4.13+) or v2 memory.events.
    public var oomKills: UInt64?
    /// v2 memory.events: `oom` (an allocation was about to fail at the limit) and `high` (usage went over
    /// memory.high and the cgroup's processes were throttled into reclaim).
    public var oomEvents: UInt64?
    public var highEvents: UInt64?
    /// v1 memory.oom_control `under_oom`: at the limit with the OOM killer disabled, its processes wait (frozen).
    public var underOOM: Bool?

    public init(version: Version, path: String, usageBytes: UInt64, inactiveFileBytes: UInt64? = nil, limitBytes: UInt64? = nil,
                limitHits: UInt64? = nil, oomKills: UInt64? = nil) {
        self.version = version
        self.path = path
        self.usageBytes = usageBytes
        self.inactiveFileBytes = inactiveFileBytes
        self.limitBytes = limitBytes
        self.limitHits = limitHits
        self.oomKills = oomKills
    }

    /// Usage less the inactive page cache: what cannot be reclaimed cheaply (what the kubelet evicts on).
    public var workingSetBytes: UInt64 { usageBytes - min(usageBytes, inactiveFileBytes ?? 0) }

    /// Copies this reading into a process sample's cgroup fields (KiB).
    public func record(into sample: inout ProcessSample) {
        sample.cgroupPath = path
        sample.cgroupUsageKiB = Int(usageBytes / 1024)
        sample.cgroupInactiveFileKiB = inactiveFileBytes.map { Int($0 / 1024) }
        sample.cgroupLimitKiB = limitBytes.map { Int($0 / 1024) }
        sample.cgroupLimitHits = limitHits.map { Int64(clamping: $0) }
        sample.cgroupOOMKills = oomKills.map { Int64(clamping: $0) }
        sample.cgroupOOMEvents = oomEvents.map { Int64(clamping: $0) }
        sample.cgroupHighEvents = highEvents.map { Int64(clamping: $0) }
        sample.cgroupUnderOOM = underOOM
    }

    /// The memory cgroup paths of one /proc/PID/cgroup: the v1 `memory` controller's line and the unified
    /// (`0::`) line, either of which may be missing.
    public static func membership(_ procCgroup: Substring) -> (v1Memory: String?, unified: String?) {
        var v1: String?
        var unified: String?
        for line in procCgroup.split(separator: "\n") {
            // hierarchy-ID:controller-list:path; the path may itself contain ':'.
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                unified = String(fields[2])
            } else if fields[1].split(separator: ",").contains("memory") {
                v1 = String(fields[2])
            }
        }
        return (v1, unified)
    }

    /// A limit file's value (bytes, or v2's `max`); nil when unlimited, or not below `hostMemoryBytes`
    /// (a limit above the host's RAM never binds), or above 2^60 when the host's RAM is unknown.
    public static func parseLimit(_ bytes: [UInt8], hostMemoryBytes: UInt64?) -> UInt64? {
        guard let limit = KeyedCounters.single(bytes) else { return nil }  // `max`
        return limit < (hostMemoryBytes ?? (1 << 60)) ? limit : nil
    }

    /// cgroup v1: memory.usage_in_bytes and memory.limit_in_bytes, with memory.oom_control, memory.failcnt and
    /// memory.stat where read. nil when the usage file is not a number.
    public static func parseV1(path: String, usage: [UInt8], limit: [UInt8]?, oomControl: [UInt8]? = nil,
                               failcnt: [UInt8]? = nil, stat: [UInt8]? = nil, hostMemoryBytes: UInt64?) -> CgroupMemory? {
        guard let usageBytes = KeyedCounters.single(usage) else { return nil }
        var memory = CgroupMemory(version: .v1, path: path, usageBytes: usageBytes)
        memory.limitBytes = limit.flatMap { parseLimit($0, hostMemoryBytes: hostMemoryBytes) }
        memory.limitHits = failcnt.flatMap(KeyedCounters.single)
        if let oomControl {
            let values = KeyedCounters.values(oomControl, keys: [Array("oom_kill".utf8), Array("under_oom".utf8)])
            memory.oomKills = values[0]
            memory.underOOM = values[1].map { $0 != 0 }
        }
        if let stat {
            // total_inactive_file counts the whole subtree, as usage_in_bytes does.
            let values = KeyedCounters.values(stat, keys: [Array("total_inactive_file".utf8), Array("inactive_file".utf8)])
            memory.inactiveFileBytes = values[0] ?? values[1]
        }
        return memory
    }

    /// cgroup v2: memory.current and memory.max, with memory.events and memory.stat where read.
    public static func parseV2(path: String, current: [UInt8], max: [UInt8]?, events: [UInt8]? = nil,
                               stat: [UInt8]? = nil, hostMemoryBytes: UInt64?) -> CgroupMemory? {
        guard let usageBytes = KeyedCounters.single(current) else { return nil }
        var memory = CgroupMemory(version: .v2, path: path, usageBytes: usageBytes)
        memory.limitBytes = max.flatMap { parseLimit($0, hostMemoryBytes: hostMemoryBytes) }
        if let events {
            let values = KeyedCounters.values(events, keys: ["max", "oom_kill", "oom", "high"].map { Array($0.utf8) })
            memory.limitHits = values[0]
            memory.oomKills = values[1]
            memory.oomEvents = values[2]
            memory.highEvents = values[3]
        }
        memory.inactiveFileBytes = stat.flatMap { KeyedCounters.values($0, keys: [Array("inactive_file".utf8)])[0] }
        return memory
    }
}
