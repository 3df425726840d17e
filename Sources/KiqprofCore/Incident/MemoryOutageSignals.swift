/// The memory signals that read the kernel's own accounting: a cgroup near its limit (measured against that
/// limit, not the host's RAM), OOM kills the kernel counted (/proc/vmstat, a cgroup's counter), major-fault
/// storms (thrashing), and reboots (the boot id changed). Each sentence carries the numbers it rests on.
struct MemoryOutageSignals {
    /// One signal over [from, to]. A `kind` joins stretches of the same kind in one window (`describe` renders
    /// their summed duration and overall peak); without one, `describe` is called once with the stretch's.
    struct Stretch {
        var from: Double
        var to: Double
        var kind: String?
        var peak: Double
        var isMemory: Bool
        var describe: @Sendable (_ duration: Double, _ peak: Double) -> String
    }

    var thresholds: OutageThresholds

    func detect(_ dataset: IncidentDataset) -> [Stretch] {
        let hostPoints = OutageWindowDetector.pointsByHost(dataset.hostPoints)
        let labelled = Set(dataset.hostPoints.map(\.hostIndex)).union(dataset.cgroupPoints.map(\.hostIndex)).count > 1
        func label(_ host: Int32) -> String { labelled ? "host \(dataset.hosts[Int(host)]): " : "" }
        var result: [Stretch] = []
        for (host, points) in hostPoints {
            result += vmstatKills(points, label: label(host))
            result += majorFaultStorms(points, label: label(host))
            result += reboots(points, bootIds: dataset.bootIds, label: label(host))
        }
        let byHost = Dictionary(uniqueKeysWithValues: hostPoints)
        for (key, points) in Self.cgroupSeries(dataset.cgroupPoints) {
            let path = dataset.cgroups[Int(key.cgroup)]
            let name = label(key.host) + "cgroup \(path)"
            result += nearLimit(points, name: name, hostPoints: byHost[key.host] ?? [])
            result += cgroupKills(points, name: name)
            result += throttled(points, name: name)
            result += frozen(points, name: name)
        }
        return result
    }

    static func cgroupSeries(_ points: [IncidentDataset.CgroupPoint])
        -> [(key: (host: Int32, cgroup: Int32), points: [IncidentDataset.CgroupPoint])] {
        var grouped: [Int64: [IncidentDataset.CgroupPoint]] = [:]
        for point in points { grouped[Int64(point.hostIndex) << 32 | Int64(point.cgroupIndex), default: []].append(point) }
        return grouped.keys.sorted().map { ((Int32($0 >> 32), Int32(truncatingIfNeeded: $0)), grouped[$0]!) }
    }

    /// The memory limit Sidekiq's cgroups put on it over [from, to]: per host, the sum of its limited cgroups'
    /// largest limits (each bounds its own processes), at most the host's RAM; the largest such host. nil
    /// when no cgroup had a limit.
    static func limitMB(_ points: [IncidentDataset.CgroupPoint], from: Double, to: Double, hostMemoryMB: Double?) -> Double? {
        var largest: [Int64: (host: Int32, limit: Double)] = [:]
        for point in points where point.t >= from && point.t <= to {
            guard let limit = point.limitMB else { continue }
            let key = Int64(point.hostIndex) << 32 | Int64(point.cgroupIndex)
            largest[key] = (point.hostIndex, max(largest[key]?.limit ?? 0, limit))
        }
        var perHost: [Int32: Double] = [:]
        for entry in largest.values { perHost[entry.host, default: 0] += entry.limit }
        guard let limit = perHost.values.max() else { return nil }
        return hostMemoryMB.map { min($0, limit) } ?? limit
    }

    /// Working set at or above `cgroupUsagePct` of the cgroup's limit, in samples without a gap between them.
    private func nearLimit(_ points: [IncidentDataset.CgroupPoint], name: String,
                           hostPoints: [IncidentDataset.HostPoint]) -> [Stretch] {
        let typical = ConcurrencySweep.typicalInterval(points.map(\.t))
        let maximumStep = thresholds.samplingGapIntervals * typical
        let threshold = thresholds.cgroupUsagePct
        func percent(_ point: IncidentDataset.CgroupPoint) -> Double? {
            point.limitMB.flatMap { $0 > 0 ? point.workingSetMB / $0 * 100 : nil }
        }
        var result: [Stretch] = []
        var index = 0
        while index < points.count {
            guard let first = percent(points[index]), first >= threshold else { index += 1; continue }
            var last = index
            while last + 1 < points.count, points[last + 1].t - points[last].t <= maximumStep,
                  let next = percent(points[last + 1]), next >= threshold { last += 1 }
            let stretch = points[index...last]
            let top = stretch.max { (percent($0) ?? 0) < (percent($1) ?? 0) }!
            let limit = top.limitMB ?? 0, inUse = top.workingSetMB
            var notes: [String] = []
            let before = index > 0 ? points[index - 1].limitHits : nil
            if let hitsBefore = before ?? points[index].limitHits, let hitsAfter = points[last].limitHits, hitsAfter > hitsBefore {
                notes.append("limit hit \(hitsAfter - hitsBefore) times")
            }
            let from = points[index].t - typical, to = points[last].t
            if let hostUsed = Self.hostMemoryUsedPct(hostPoints, from: from, to: to) {
                notes.append("host memory \(NumberText.compact(hostUsed)) % used")
            }
            let extra = notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
            result.append(Stretch(from: from, to: to, kind: "cgroup-limit " + name, peak: percent(top) ?? 0, isMemory: true) {
                duration, peak in
                "\(name) memory ≥ \(NumberText.compact(threshold)) % of its \(NumberText.compact(limit)) MB limit for"
                    + " \(DurationExpression.humanize(duration)) (peak \(NumberText.compact(peak)) %, \(NumberText.compact(inUse))"
                    + " MB in use less reclaimable page cache\(extra))"
            })
            index = last + 1
        }
        return result
    }

    /// The highest host memory use in [from, to], to show that the host itself had room.
    static func hostMemoryUsedPct(_ points: [IncidentDataset.HostPoint], from: Double, to: Double) -> Double? {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].t < from { low = middle + 1 } else { high = middle }
        }
        var highest: Double?
        while low < points.count, points[low].t <= to {
            if let used = points[low].memUsedPct { highest = max(highest ?? used, used) }
            low += 1
        }
        return highest
    }

    /// Rises of a cumulative counter between consecutive readings, joined when closer than `mergeGap`:
    /// (from, to, counter before, counter after).
    private func rises(_ readings: [(t: Double, value: Int64?, boot: Int32)]) -> [(from: Double, to: Double, before: Int64, after: Int64)] {
        var found: [(from: Double, to: Double, before: Int64, after: Int64)] = []
        for index in readings.indices.dropFirst() {
            let previous = readings[index - 1], current = readings[index]
            // A counter that fell was reset (a reboot, a cgroup made anew): no rise can be read across it.
            guard previous.boot == current.boot, let before = previous.value, let after = current.value, after > before else {
                continue
            }
            if let last = found.last, previous.t - last.to <= thresholds.mergeGap {
                found[found.count - 1].to = current.t
                found[found.count - 1].after = after
            } else {
                found.append((previous.t, current.t, before, after))
            }
        }
        return found
    }

    private func vmstatKills(_ points: [IncidentDataset.HostPoint], label: String) -> [Stretch] {
        rises(points.map { ($0.t, $0.oomKills, $0.bootIndex) }).map { rise in
            let count = rise.after - rise.before
            return Stretch(from: rise.from, to: rise.to, peak: Double(count), isMemory: true) { _, _ in
                "\(label)the kernel's OOM killer killed \(count) process\(count == 1 ? "" : "es") (/proc/vmstat oom_kill"
                    + " \(rise.before) → \(rise.after))"
            }
        }
    }

    private func cgroupKills(_ points: [IncidentDataset.CgroupPoint], name: String) -> [Stretch] {
        rises(points.map { ($0.t, $0.oomKills, 0) }).map { rise in
            let count = rise.after - rise.before
            return Stretch(from: rise.from, to: rise.to, peak: Double(count), isMemory: true) { _, _ in
                "\(name): \(count) OOM kill\(count == 1 ? "" : "s") at its memory limit (its oom_kill counter"
                    + " \(rise.before) → \(rise.after))"
            }
        }
    }

    /// memory.high exceeded: the kernel throttles the cgroup's allocations into reclaim, a slowdown without a kill.
    private func throttled(_ points: [IncidentDataset.CgroupPoint], name: String) -> [Stretch] {
        rises(points.map { ($0.t, $0.highEvents, 0) }).map { rise in
            let count = rise.after - rise.before
            return Stretch(from: rise.from, to: rise.to, peak: Double(count), isMemory: true) { _, _ in
                "\(name): over memory.high \(count) time\(count == 1 ? "" : "s"), its processes throttled into reclaim"
                    + " (memory.events high \(rise.before) → \(rise.after))"
            }
        }
    }

    /// v1 with the OOM killer disabled: at the limit, the cgroup's processes wait for memory that never comes.
    private func frozen(_ points: [IncidentDataset.CgroupPoint], name: String) -> [Stretch] {
        let typical = ConcurrencySweep.typicalInterval(points.map(\.t))
        var result: [Stretch] = []
        var index = 0
        while index < points.count {
            guard points[index].underOOM == true else { index += 1; continue }
            var last = index
            while last + 1 < points.count, points[last + 1].underOOM == true,
                  points[last + 1].t - points[last].t <= thresholds.samplingGapIntervals * typical { last += 1 }
            result.append(Stretch(from: points[index].t - typical, to: points[last].t, kind: "under-oom " + name, peak: 1,
                                  isMemory: true) { duration, _ in
                "\(name) under OOM with the OOM killer disabled for \(DurationExpression.humanize(duration)): its processes"
                    + " wait for memory (memory.oom_control under_oom 1)"
            })
            index = last + 1
        }
        return result
    }

    /// Major faults read pages back from disk; when memory runs out the kernel evicts the program's own
    /// code and data, and their rate climbs by orders of magnitude (thrashing) before any OOM kill.
    private func majorFaultStorms(_ points: [IncidentDataset.HostPoint], label: String) -> [Stretch] {
        var rates: [(from: Double, to: Double, rate: Double)] = []
        for index in points.indices.dropFirst() {
            let previous = points[index - 1], current = points[index]
            guard previous.bootIndex == current.bootIndex, current.t > previous.t, let before = previous.majorFaults,
                  let after = current.majorFaults, after >= before else { continue }
            rates.append((previous.t, current.t, Double(after - before) / (current.t - previous.t)))
        }
        guard !rates.isEmpty else { return [] }
        let sorted = rates.map(\.rate).sorted()
        let median = sorted[sorted.count / 2]
        let threshold = max(thresholds.majorFaultRate, thresholds.majorFaultFactor * median)
        var result: [Stretch] = []
        var index = 0
        while index < rates.count {
            guard rates[index].rate >= threshold else { index += 1; continue }
            var last = index
            while last + 1 < rates.count, rates[last + 1].from == rates[last].to, rates[last + 1].rate >= threshold { last += 1 }
            let from = rates[index].from, to = rates[last].to
            let peak = rates[index...last].map(\.rate).max() ?? 0
            if to - from >= thresholds.majorFaultMinimumDuration {
                result.append(Stretch(from: from, to: to, kind: label + "major-faults", peak: peak, isMemory: true) { duration, peak in
                    "\(label)major page faults ≥ \(NumberText.compact(threshold))/s for \(DurationExpression.humanize(duration)) (peak"
                        + " \(NumberText.compact(peak))/s, median \(NumberText.compact(median))/s): pages re-read from disk, thrashing"
                })
            }
            index = last + 1
        }
        return result
    }

    /// A different boot id between two samples of one host: it rebooted in between (a crash, a watchdog, an operator).
    private func reboots(_ points: [IncidentDataset.HostPoint], bootIds: [String], label: String) -> [Stretch] {
        var result: [Stretch] = []
        for index in points.indices.dropFirst() {
            let previous = points[index - 1], current = points[index]
            guard previous.bootIndex >= 0, current.bootIndex >= 0, previous.bootIndex != current.bootIndex else { continue }
            let old = String(bootIds[Int(previous.bootIndex)].prefix(8)), new = String(bootIds[Int(current.bootIndex)].prefix(8))
            let booted = current.bootTime.map { ", booted \(ISOTimestamp.short($0))" } ?? ""
            let silent = DurationExpression.humanize(current.t - previous.t)
            result.append(Stretch(from: previous.t, to: current.t, peak: 0, isMemory: false) { _, _ in
                "\(label)host rebooted (boot id \(old)… → \(new)…\(booted); no sample for \(silent))"
            })
        }
        return result
    }
}
