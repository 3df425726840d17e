/// Finds outage windows without being told: CPU saturation, memory exhaustion or swapping, pressure
/// stalls, host sampling gaps, stale heartbeats and vanished processes, and queue latency, merged into
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
    }

    public func detect(_ dataset: IncidentDataset, from: Double, to: Double) -> [OutageWindow] {
        var intervals: [Interval] = []
        let hostCount = Set(dataset.hostPoints.map(\.hostIndex)).count
        for (hostIndex, points) in Self.pointsByHost(dataset.hostPoints) {
            let label = hostCount > 1 ? "host \(dataset.hosts[Int(hostIndex)]): " : ""
            intervals += hostIntervals(points, label: label)
        }
        for gap in dataset.gaps {
            switch gap.kind {
            case "heartbeat": intervals.append(Interval(from: gap.from, to: gap.to, signal: "heartbeat stale: \(gap.reason)"))
            case "redis": intervals.append(Interval(from: gap.from, to: gap.to, signal: "Redis unreachable: \(gap.reason)"))
            case "host": intervals.append(Interval(from: gap.from, to: gap.to, signal: "recorder: \(gap.reason)"))
            default: intervals.append(Interval(from: gap.from, to: gap.to, signal: "\(gap.kind): \(gap.reason)"))
            }
        }
        intervals += vanishedProcesses(dataset)
        intervals += queueLatency(dataset.queuePoints)
        return merge(intervals, from: from, to: to)
    }

    static func pointsByHost(_ points: [IncidentDataset.HostPoint]) -> [(Int32, [IncidentDataset.HostPoint])] {
        var grouped: [Int32: [IncidentDataset.HostPoint]] = [:]
        for point in points { grouped[point.hostIndex, default: []].append(point) }
        return grouped.keys.sorted().map { ($0, grouped[$0]!) }
    }

    private func hostIntervals(_ points: [IncidentDataset.HostPoint], label: String) -> [Interval] {
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
            result.append(Interval(from: start, to: end, signal: "\(label)CPU busy ≥ \(NumberText.compact(thresholds.cpuBusyPct)) % for \(DurationExpression.humanize(end - start)) (peak \(NumberText.compact(peak)) %)"))
        }
        for stretch in stretches({ points[$0].memUsedPct.map { 100 - $0 <= thresholds.memAvailablePct } ?? false }) {
            let (start, end) = span(stretch)
            let lowest = points[stretch.first...stretch.last].compactMap(\.memUsedPct).max().map { 100 - $0 } ?? 0
            result.append(Interval(from: start, to: end, signal: "\(label)MemAvailable ≤ \(NumberText.compact(thresholds.memAvailablePct)) % of total for \(DurationExpression.humanize(end - start)) (lowest \(NumberText.compact(lowest)) %)"))
        }
        for stretch in stretches({ index in
            guard index > 0, let now = points[index].swapUsedMB, let before = points[index - 1].swapUsedMB else { return false }
            return now - before > 1
        }) {
            let start = points[max(0, stretch.first - 1)].t
            let end = points[stretch.last].t
            guard end - start >= thresholds.swapMinimumDuration else { continue }
            let grown = (points[stretch.last].swapUsedMB ?? 0) - (points[max(0, stretch.first - 1)].swapUsedMB ?? 0)
            result.append(Interval(from: start, to: end, signal: "\(label)swapping for \(DurationExpression.humanize(end - start)) (+\(NumberText.compact(grown)) MB swap in use)"))
        }
        for stretch in stretches({ (points[$0].psiCPUSomeAvg10 ?? 0) >= thresholds.psiCPUSomeAvg10 }) {
            let (start, end) = span(stretch)
            let peak = points[stretch.first...stretch.last].compactMap(\.psiCPUSomeAvg10).max() ?? 0
            result.append(Interval(from: start, to: end, signal: "\(label)CPU pressure some avg10 ≥ \(NumberText.compact(thresholds.psiCPUSomeAvg10)) (peak \(NumberText.compact(peak)))"))
        }
        for stretch in stretches({ (points[$0].psiMemoryFullAvg10 ?? 0) >= thresholds.psiMemoryFullAvg10 }) {
            let (start, end) = span(stretch)
            let peak = points[stretch.first...stretch.last].compactMap(\.psiMemoryFullAvg10).max() ?? 0
            result.append(Interval(from: start, to: end, signal: "\(label)memory pressure full avg10 ≥ \(NumberText.compact(thresholds.psiMemoryFullAvg10)) (peak \(NumberText.compact(peak)))"))
        }
        for index in points.indices.dropFirst() where points[index].t - points[index - 1].t > maximumStep {
            let start = points[index - 1].t
            let end = points[index].t
            result.append(Interval(from: start, to: end, signal: "\(label)no host sample for \(DurationExpression.humanize(end - start)) (typical interval \(DurationExpression.humanize(typical))): a starved host cannot sample"))
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
                    result.append(Interval(from: stretch.from, to: stretch.to, signal: "queue \(queue) latency ≥ \(DurationExpression.humanize(thresholds.queueLatency)) (peak \(DurationExpression.humanize(stretch.peak)))"))
                    open = nil
                }
            }
            if let stretch = open {
                result.append(Interval(from: stretch.from, to: stretch.to, signal: "queue \(queue) latency ≥ \(DurationExpression.humanize(thresholds.queueLatency)) (peak \(DurationExpression.humanize(stretch.peak)))"))
            }
        }
        return result
    }

    private func merge(_ intervals: [Interval], from: Double, to: Double) -> [OutageWindow] {
        let clipped = intervals.compactMap { interval -> Interval? in
            let start = max(interval.from, from)
            let end = min(interval.to, to)
            return end >= start ? Interval(from: start, to: end, signal: interval.signal) : nil
        }.sorted { ($0.from, $0.to, $0.signal) < ($1.from, $1.to, $1.signal) }
        var windows: [OutageWindow] = []
        for interval in clipped {
            if var last = windows.last, interval.from <= last.to + thresholds.mergeGap {
                last.to = max(last.to, interval.to)
                if !last.signals.contains(interval.signal) { last.signals.append(interval.signal) }
                windows[windows.count - 1] = last
            } else {
                windows.append(OutageWindow(from: interval.from, to: interval.to, signals: [interval.signal]))
            }
        }
        return windows
    }

}
