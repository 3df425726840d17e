/// The recent history of one local process's job threads: at each poll, every thread's CPU used so far and
/// how often it was scheduled. Holds `horizon` seconds; what a run needs from further back is kept with the
/// run (`RunCPUMeter`).
struct ThreadCPUSeries: Sendable {
    let horizon: Double
    private(set) var times: [Double] = []
    /// Kernel tid → cumulative CPU seconds at each poll (nan where the thread was absent).
    private var cpu: [Int: [Double]] = [:]
    private var timeslices: [Int: [Double]] = [:]
    /// Cumulative seconds runnable but waiting for a CPU (nan where unknown).
    private var waiting: [Int: [Double]] = [:]

    init(horizon: Double) { self.horizon = horizon }

    /// The threads with at least one reading in the window.
    var tids: Dictionary<Int, [Double]>.Keys { cpu.keys }

    var lastTime: Double? { times.last }

    /// Adds one poll's readings; returns the CPU the threads present at both polls used since the previous one.
    @discardableResult
    mutating func append(at time: Double, readings: [ThreadCPUReading]) -> Double? {
        if let last = times.last, time <= last { return nil }
        let previous = times.count - 1
        var used: Double?
        for reading in readings {
            var column = cpu[reading.tid] ?? [Double](repeating: .nan, count: times.count)
            if previous >= 0, column[previous].isFinite {
                used = (used ?? 0) + max(0, reading.cpuSeconds - column[previous])
            } else if previous >= 0 {
                used = used ?? 0
            }
            column.append(reading.cpuSeconds)
            cpu[reading.tid] = column
            var slices = timeslices[reading.tid] ?? [Double](repeating: .nan, count: times.count)
            slices.append(reading.timeslices ?? .nan)
            timeslices[reading.tid] = slices
            var waited = waiting[reading.tid] ?? [Double](repeating: .nan, count: times.count)
            waited.append(reading.waitingSeconds ?? .nan)
            waiting[reading.tid] = waited
        }
        times.append(time)
        for (tid, column) in cpu where column.count < times.count {
            cpu[tid]!.append(.nan)
            timeslices[tid]!.append(.nan)
            waiting[tid]!.append(.nan)
            _ = column
        }
        trim()
        return used
    }

    /// The last poll at or before `time`.
    func index(atOrBefore time: Double) -> Int? {
        let i = times.partitionIndex { $0 > time }
        return i > 0 ? i - 1 : nil
    }

    /// The first poll at or after `time`.
    func index(atOrAfter time: Double) -> Int? {
        let i = times.partitionIndex { $0 >= time }
        return i < times.count ? i : nil
    }

    /// `tid`'s CPU used so far at poll `index`; nil where it was absent.
    func cpu(_ tid: Int, at index: Int) -> Double? {
        guard let value = cpu[tid]?[index], value.isFinite else { return nil }
        return value
    }

    /// CPU seconds `tid` used between polls `index - 1` and `index`.
    func used(_ tid: Int, in index: Int) -> Double? {
        guard index > 0, let before = cpu(tid, at: index - 1), let after = cpu(tid, at: index) else { return nil }
        return max(0, after - before)
    }

    /// What `tid` wanted between polls `index - 1` and `index`: the CPU it used plus the time it waited for one
    /// while runnable (a busy host), or just the CPU where the wait is unknown.
    func demand(_ tid: Int, in index: Int) -> Double? {
        guard let used = used(tid, in: index) else { return nil }
        guard let before = waiting[tid]?[index - 1], let after = waiting[tid]?[index], before.isFinite, after.isFinite else { return used }
        return used + max(0, after - before)
    }

    /// `tid`'s CPU per second between polls `index - 1` and `index`.
    func rate(_ tid: Int, in index: Int) -> Double? {
        used(tid, in: index).map { $0 / max(times[index] - times[index - 1], 1e-3) }
    }

    /// What `tid` did between polls `index - 1` and `index`.
    func activity(_ tid: Int, in index: Int) -> ThreadActivity? {
        guard let used = used(tid, in: index) else { return nil }
        var slices: Double?
        if let before = timeslices[tid]?[index - 1], let after = timeslices[tid]?[index], before.isFinite, after.isFinite {
            slices = after - before
        }
        return ThreadActivity(cpuSeconds: used, timeslices: slices, over: times[index] - times[index - 1])
    }

    /// Drops polls older than `horizon`, in chunks so the copy is amortized.
    private mutating func trim() {
        guard let last = times.last else { return }
        let old = times.partitionIndex { $0 >= last - horizon }
        guard old >= 32 else { return }
        times.removeFirst(old)
        for tid in Array(cpu.keys) {
            cpu[tid]!.removeFirst(old)
            timeslices[tid]!.removeFirst(old)
            waiting[tid]!.removeFirst(old)
            if !cpu[tid]!.contains(where: \.isFinite) {
                cpu[tid] = nil
                timeslices[tid] = nil
                waiting[tid] = nil
            }
        }
    }
}
