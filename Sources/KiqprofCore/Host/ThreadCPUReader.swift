#if canImport(Glibc)
import Glibc
#endif

/// Reads the CPU each thread of a local process has used: /proc/PID/task/TID/schedstat (run time in ns and
/// timeslices), or utime+stime ticks from .../stat where the kernel has no schedstat. Names (`comm`) are read
/// once per thread: Sidekiq names its threads when it starts them. A name is kept only while its thread is
/// listed, so a thread id the kernel hands on to another thread is named afresh.
final class ThreadCPUReader {
    private let root: String
    /// pid → tid → the name Sidekiq gave the thread.
    private var names: [Int: [Int: String]] = [:]
    private var buffer = [UInt8](repeating: 0, count: 512)
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    init(root: String) { self.root = root }

    /// Every thread of `pid`; nil when the process is gone or its threads cannot be listed.
    func read(pid: Int) -> [ThreadCPUReading]? {
        guard let directory = opendir("\(root)/\(pid)/task") else {
            names[pid] = nil
            return nil
        }
        defer { closedir(directory) }
        var readings: [ThreadCPUReading] = []
        let known = names[pid] ?? [:]
        var listed: [Int: String] = [:]
        while let entry = readdir(directory) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Int(String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self))
            }
            guard let tid else { continue }
            let base = "\(root)/\(pid)/task/\(tid)"
            var reading: ThreadCPUReading?
            if let schedstat = readText(base + "/schedstat") {
                let fields = schedstat.split(separator: " ")
                if fields.count >= 3, let runNanos = Double(fields[0]) {
                    reading = ThreadCPUReading(tid: tid, name: "", cpuSeconds: runNanos / 1e9,
                                               timeslices: Double(fields[2].filter { !$0.isWhitespace }),
                                               waitingSeconds: Double(fields[1]).map { $0 / 1e9 })
                }
            } else if let stat = readText(base + "/stat"), let counters = ProcessCPUCounters.parse(stat[...]) {
                reading = ThreadCPUReading(tid: tid, name: "", cpuSeconds: Double(counters.cpuTicks) / ticksPerSecond, timeslices: nil)
            }
            guard var reading else { continue }  // the thread ended while being read
            if let name = known[tid] {
                reading.name = name
                listed[tid] = name
            } else if let comm = readText(base + "/comm") {
                let name = String(comm.prefix { $0 != "\n" })
                // Sidekiq names a thread just after creating it: an unnamed one is read again next time.
                if SidekiqThreadRole(name: name) != .other { listed[tid] = name }
                reading.name = name
            }
            readings.append(reading)
        }
        names[pid] = listed.isEmpty ? nil : listed
        return readings
    }

    private func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

@available(*, unavailable)
extension ThreadCPUReader: Sendable {}
