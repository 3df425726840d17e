/// CPU time and resident memory of one process, from /proc/<pid>/stat.
public struct ProcessCPUCounters: Sendable, Equatable {
    /// utime + stime, in clock ticks.
    public var cpuTicks: UInt64
    public var rssPages: Int

    /// Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and ')', so fields are
    /// counted from the last ')'.
    public static func parse(_ text: Substring) -> ProcessCPUCounters? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ')': state is field 3, so utime (14) is index 11, stime (15) index 12, rss (24) index 21.
        guard fields.count > 21, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]), let rss = Int(fields[21]) else {
            return nil
        }
        return ProcessCPUCounters(cpuTicks: utime + stime, rssPages: rss)
    }
}
