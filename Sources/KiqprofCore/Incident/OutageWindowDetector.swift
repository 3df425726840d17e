/// Finds outage windows without being told: CPU saturation, memory exhaustion or swapping, pressure
/// stalls, host sampling gaps, stale heartbeats and vanished processes, and queue latency, plus the kernel's
/// memory accounting (`MemoryOutageSignals`: cgroup limits, OOM kills, major faults, reboots), merged into
/// windows that each list their signals.
public struct OutageWindowDetector {
    public var thresholds: OutageThresholds

    public init(thresholds: OutageThresholds = OutageThresholds()) {
        self.thresholds = thresholds
    }

    private struct Interval {
        var from: Double
        var to: Double
        var signal: String
        /// Stretches of the same kind that fall in one window are reported once: with their summed
        /// duration and their overall peak, rendered by `describe`.
        var kind: String? = nil
        var peak = 0.0
        var duration = 0.0
        var describe: (@Sendable (_ duration: Double, _ peak: Double) -> String)? = nil
        var isMemory = false

        init(from: Double, to: Double, signal: String) {
            self.from = from
            self.to = to
            self.signal = signal
        }

        init(from: Double, to: Double, kind: String, peak: Double, isMemory: Bool = false,
             describe: @escaping @Sendable (Double, Double) -> String) {
            self.from = from
            self.to = to
            self.kind = kind
            self.peak = peak
            self.duration = to - from
            self.describe = describe
            self.isMemory = isMemory
            self.signal = describe(to - from, peak)
        }
    }

    public func detect(_ dataset: IncidentDataset, from: Double, to: Double) -> [OutageWindow] {
        var intervals: [Interval] = []
        let hostCount = Set(dataset.hostPoints.map(\.hostIndex)).count
        // Whether a job started or ended (an exact time) inside a sampling gap: a host that thrashes neither
        // samples nor logs. Runs are sorted by start; their ends are sorted only if a gap asks.
        var sortedEnds: [Double]?
        func jobEvent(after start: Double, before end: Double) -> Bool {
            let runs = dataset.runs
            let next = IncidentAnalyzer.partition(runs.count) { runs[$0].start <= start }
            if next < runs.count && runs[next].start < end { return true }
            if sortedEnds == nil { sortedEnds = runs.lazy.filter { !$0.isOpen && $0.endBracket == nil }.map(\.end).sorted() }
            let ends = sortedEnds!
            let nextEnd = IncidentAnalyzer.partition(ends.count) { ends[$0] <= start }
            return nextEnd < ends.count && ends[nextEnd] < end
        }
        for (hostIndex, points) in Self.pointsByHost(dataset.hostPoints) {
            let label = hostCount > 1 ? "host \(dataset.hosts[Int(hostIndex)]): " : ""
            intervals += hostIntervals(points, label: label, hasJobs: !dataset.runs.isEmpty, jobEvent: jobEvent)
        }
        for gap in dataset.gaps {
            switch gap.kind {
            case .heartbeat: intervals.append(Interval(from: gap.from, to: gap.to, signal: "heartbeat stale: \(gap.reason)"))
            case .redis: intervals.append(Interval(from: gap.from, to: gap.to, signal: "Redis unreachable: \(gap.reason)"))
            case .host: intervals.append(Interval(from: gap.from, to: gap.to, signal: "recorder: \(gap.reason)"))
            }
        }
        for stretch in MemoryOutageSignals(thresholds: thresholds).detect(dataset) {
            if let kind = stretch.kind {
                intervals.append(Interval(from: stretch.from, to: stretch.to, kind: kind, peak: stretch.peak, isMemory: stretch.isMemory,
                                          describe: stretch.describe))
            } else {
                let signal = stretch.describe(stretch.to - stretch.from, stretch.peak)
                var interval = Interval(from: stretch.from, to: stretch.to, signal: signal)
                interval.isMemory = stretch.isMemory
                intervals.append(interval)
            }
        }
        intervals += vanishedProcesses(dataset)
        for boot in dataset.boots where boot.t >= from && boot.t <= to {
            // The host was down before it booted: from its last sample (within an hour) to the boot.
            let last = dataset.hostPoints.last { $0.t < boot.t && $0.t >= boot.t - 3600 && dataset.hosts[Int($0.hostIndex)] == boot.host }
            intervals.append(Interval(from: last?.t ?? boot.t - 1, to: boot.t,
                                      signal: "the host \(boot.host) rebooted at \(ISOTimestamp.short(boot.t))"))
        }
        for kill in dataset.oomKills where kill.t >= from && kill.t <= to {
            // The minute before a kill is when memory ran out; the kill ends it.
            var interval = Interval(from: kill.t - 60, to: kill.t, signal: "OOM kill: pid \(kill.pid) (\(kill.process))"
                + (kill.rssKiB.map { ", RSS \(NumberText.compact(Double($0) / 1024)) MB" } ?? "")
                + (kill.isCgroupLimit ? ", its cgroup's memory limit" : ", the host's memory"))
            interval.isMemory = true
            intervals.append(interval)
        }
        intervals += queueLatency(dataset.queuePoints)
        return merge(intervals, from: from, to: to)
    }

    static func pointsByHost(_ points: [IncidentDataset.HostPoint]) -> [(Int32, [IncidentDataset.HostPoint])] {
        var grouped: [Int32: [IncidentDataset.HostPoint]] = [:]
        for point in points { grouped[point.hostIndex, default: []].append(point) }
        return grouped.keys.sorted().map { ($0, grouped[$0]!) }
    }

    private func hostIntervals(_ points: [IncidentDataset.HostPoint], label: String, hasJobs: Bool,
                               jobEvent: (_ after: Double, _ before: Double) -> Bool) -> [Interval] {
        guard !points.isEmpty else { return [] }
        let typical = ConcurrencySweep.typicalInterval(points.map(\.t))
        let maximumStep = thresholds.samplingGapIntervals * typical
        var result: [Interval] = []

        // Consecutive samples (no sampling gap between them) for which `holds` is true.
        func stretches(_ holds: (Int) -> Bool) -> [(first: Int, last: Int)] {
            var found: [(Int, Int)] = []
            var first: Int?
            for index in points.indices {
                let continues = index > 0 && points[index].t - points[index - 1].t <= maximumStep
                if let open = first, !(holds(index) && continues) {
                    found.append((open, index - 1))
                    first = nil
                }
                if first == nil && holds(index) { first = index }
            }
            if let open = first { found.append((open, points.count - 1)) }
            return found
        }
        func span(_ stretch: (first: Int, last: Int)) -> (from: Double, to: Double) {
            (points[stretch.first].t - typical, points[stretch.last].t)
        }

        for stretch in stretches({ (points[$0].cpuBusyPct ?? 0) >= thresholds.cpuBusyPct }) {
            let (start, end) = span(stretch)
            guard end - start >= thresholds.cpuMinimumDuration else { continue }
            let peak = points[stretch.first...stretch.last].compactMap(\.cpuBusyPct).max() ?? 0
            let threshold = thresholds.cpuBusyPct
            result.append(Interval(from: start, to: end, kind: label + "cpu", peak: peak) { duration, peak in
                "\(label)CPU busy ≥ \(NumberText.compact(threshold)) % for \(DurationExpression.humanize(duration)) (peak"
                    + " \(NumberText.compact(peak)) %)"
            })
        }
        for stretch in stretches({ points[$0].memUsedPct.map { 100 - $0 <= thresholds.memAvailablePct } ?? false }) {
            let (start, end) = span(stretch)
            let highest = points[stretch.first...stretch.last].compactMap(\.memUsedPct).max() ?? 100
            let threshold = thresholds.memAvailablePct
            result.append(Interval(from: start, to: end, kind: label + "memory", peak: highest, isMemory: true) { duration, highest in
                "\(label)MemAvailable ≤ \(NumberText.compact(threshold)) % of total for \(DurationExpression.humanize(duration)) (lowest"
                    + " \(NumberText.compact(100 - highest)) %)"
            })
        }
        for stretch in stretches({ index in
            guard index > 0, let now = points[index].swapUsedMB, let before = points[index - 1].swapUsedMB else { return false }
            return now - before > 1
        }) {
            let start = points[max(0, stretch.first - 1)].t
            let end = points[stretch.last].t
            guard end - start >= thresholds.swapMinimumDuration else { continue }
            let grown = (points[stretch.last].swapUsedMB ?? 0) - (points[max(0, stretch.first - 1)].swapUsedMB ?? 0)
            var swapping = Interval(from: start, to: end,
                signal: "\(label)swapping for \(DurationExpression.humanize(end - start)) (+\(NumberText.compact(grown)) MB swap in use)")
            swapping.isMemory = true
            result.append(swapping)
        }
        for stretch in stretches({ (points[$0].psiCPUSomeAvg10 ?? 0) >= thresholds.psiCPUSomeAvg10 }) {
            let (start, end) = span(stretch)
            let peak = points[stretch.first...stretch.last].compactMap(\.psiCPUSomeAvg10).max() ?? 0
            let threshold = thresholds.psiCPUSomeAvg10
            result.append(Interval(from: start, to: end, kind: label + "psi-cpu", peak: peak) { duration, peak in
                "\(label)CPU pressure some avg10 ≥ \(NumberText.compact(threshold)) for \(DurationExpression.humanize(duration)) (peak"
                    + " \(NumberText.compact(peak)))"
            })
        }
        for stretch in stretches({ (points[$0].psiMemoryFullAvg10 ?? 0) >= thresholds.psiMemoryFullAvg10 }) {
            let (start, end) = span(stretch)
            let peak = points[stretch.first...stretch.last].compactMap(\.psiMemoryFullAvg10).max() ?? 0
            let threshold = thresholds.psiMemoryFullAvg10
            result.append(Interval(from: start, to: end, kind: label + "psi-memory", peak: peak, isMemory: true) { duration, peak in
                "\(label)memory pressure full avg10 ≥ \(NumberText.compact(threshold)) for \(DurationExpression.humanize(duration)) (peak"
                    + " \(NumberText.compact(peak)))"
            })
        }
        for index in points.indices.dropFirst() where points[index].t - points[index - 1].t > maximumStep {
            let start = points[index - 1].t
            let end = points[index].t
            // The gap itself is evidence: silent logs too, and the memory it began at, say the host froze.
            let silent = !jobEvent(start, end)
            let memory = points[index - 1].memUsedPct
            var signal = "\(label)no host sample \(silent && hasJobs ? "and no job start or end " : "")for"
                + " \(DurationExpression.humanize(end - start)) (typical interval \(DurationExpression.humanize(typical)))"
            if let memory { signal += " while memory was at \(NumberText.compact(memory)) %" }
            let frozen = silent && (memory ?? 0) >= 100 - 2 * thresholds.memAvailablePct
            signal += frozen ? ": a host out of memory thrashes, and can neither sample nor log" : ": a starved host cannot sample"
            var interval = Interval(from: start, to: end, signal: signal)
            interval.isMemory = frozen
            result.append(interval)
        }
        return result
    }

    /// Processes whose runs ended `lost`: the process hash expired while they ran.
    private func vanishedProcesses(_ dataset: IncidentDataset) -> [Interval] {
        var byIdentity: [Int32: (at: Double, count: Int)] = [:]
        for run in dataset.runs where run.lost {
            let previous = byIdentity[run.identityIndex]
            byIdentity[run.identityIndex] = (min(previous?.at ?? run.end, run.end), (previous?.count ?? 0) + 1)
        }
        return byIdentity.keys.sorted().map { identity in
            let (at, count) = byIdentity[identity]!
            let name = identity >= 0 ? dataset.identities[Int(identity)] : "a Sidekiq process"
            return Interval(from: at, to: at, signal: "Sidekiq process \(name) vanished with \(count) job\(count == 1 ? "" : "s") running")
        }
    }

    private func queueLatency(_ points: [IncidentDataset.QueuePoint]) -> [Interval] {
        var byQueue: [String: [IncidentDataset.QueuePoint]] = [:]
        for point in points { byQueue[point.queue, default: []].append(point) }
        var result: [Interval] = []
        for queue in byQueue.keys.sorted() {
            var open: (from: Double, to: Double, peak: Double)?
            for point in byQueue[queue]! {
                if point.latency >= thresholds.queueLatency {
                    open = open.map { ($0.from, point.t, max($0.peak, point.latency)) } ?? (point.t, point.t, point.latency)
                } else if let stretch = open {
                    result.append(Interval(from: stretch.from, to: stretch.to,
                        signal: "queue \(queue) latency ≥ \(DurationExpression.humanize(thresholds.queueLatency)) (peak"
                        + " \(DurationExpression.humanize(stretch.peak)))"))
                    open = nil
                }
            }
            if let stretch = open {
                result.append(Interval(from: stretch.from, to: stretch.to,
                    signal: "queue \(queue) latency ≥ \(DurationExpression.humanize(thresholds.queueLatency)) (peak"
                    + " \(DurationExpression.humanize(stretch.peak)))"))
            }
        }
        return result
    }

    private func merge(_ intervals: [Interval], from: Double, to: Double) -> [OutageWindow] {
        let clipped = intervals.compactMap { interval -> Interval? in
            var clipped = interval
            clipped.from = max(interval.from, from)
            clipped.to = min(interval.to, to)
            guard clipped.to >= clipped.from else { return nil }
            if let describe = interval.describe, clipped.to - clipped.from != interval.duration {
                clipped.duration = clipped.to - clipped.from
                clipped.signal = describe(clipped.duration, interval.peak)
            }
            return clipped
        }.sorted { ($0.from, $0.to, $0.signal) < ($1.from, $1.to, $1.signal) }
        var groups: [(from: Double, to: Double, members: [Interval])] = []
        for interval in clipped {
            if let last = groups.last, interval.from <= last.to + thresholds.mergeGap {
                groups[groups.count - 1].to = max(last.to, interval.to)
                groups[groups.count - 1].members.append(interval)
            } else {
                groups.append((interval.from, interval.to, [interval]))
            }
        }
        var windows: [OutageWindow] = []
        for group in groups {
            var signals: [String] = []
            var kindPosition: [String: Int] = [:]
            var combined: [Interval] = []
            for member in group.members {
                if let kind = member.kind, let position = kindPosition[kind] {
                    combined[position].duration += member.duration
                    combined[position].peak = max(combined[position].peak, member.peak)
                    continue
                }
                if let kind = member.kind { kindPosition[kind] = combined.count }
                combined.append(member)
            }
            for member in combined {
                let signal = member.describe.map { $0(member.duration, member.peak) } ?? member.signal
                if !signals.contains(signal) { signals.append(signal) }
            }
            windows.append(OutageWindow(from: group.from, to: group.to, signals: signals,
                                        memoryExhausted: group.members.contains { $0.isMemory }))
        }
        return windows
    }

}
