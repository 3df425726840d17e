/// For each sample of a time series, how much of each job class was running during the interval the
/// sample measures: the overlap of the class's runs with (previous sample, this sample] divided by the
/// interval, so 1.0 is one run for the whole interval and 2.0 is two concurrent runs. One pass over runs
/// sorted by start and samples sorted by time, holding only the runs active at the moment.
public struct ConcurrencySweep {
    /// The classes present in one interval, with their concurrency; reused between samples.
    public struct Row {
        public fileprivate(set) var classes: [Int32] = []
        public fileprivate(set) var concurrency: [Double] = []
        /// The interval's length in seconds.
        public fileprivate(set) var interval: Double = 0
        /// Whether the sample follows the one before it without a sampling gap (false for the first).
        public fileprivate(set) var continues = false

        public var isEmpty: Bool { classes.isEmpty }
    }

    /// The typical spacing of the samples (median), used for the first sample and after a gap.
    public static func typicalInterval(_ times: [Double]) -> Double {
        guard times.count >= 2 else { return 1 }
        var deltas: [Double] = []
        deltas.reserveCapacity(min(times.count, 10_001))
        let stride = max(1, times.count / 10_000)
        var index = stride
        while index < times.count {
            let delta = times[index] - times[index - stride]
            if delta > 0 { deltas.append(delta / Double(stride)) }
            index += stride
        }
        guard !deltas.isEmpty else { return 1 }
        deltas.sort()
        return deltas[deltas.count / 2]
    }

    /// Calls `body(sampleIndex, row)` for every sample, in order.
    /// - Parameters:
    ///   - times: sample times, ascending.
    ///   - runs: the runs to match, ascending by start.
    ///   - classCount: the number of class indices.
    ///   - gapFactor: an interval longer than this many typical intervals is a sampling gap; the sample
    ///     then measures only its last typical interval, so a long gap is not smeared over every run in it.
    ///   - weights: per run (parallel to `runs`), a factor on its overlap; nil counts every run in full.
    public static func sweep(times: [Double], runs: [IncidentDataset.Run], classCount: Int, gapFactor: Double = 3,
                             weights: [Double]? = nil, _ body: (Int, Row) -> Void) {
        guard !times.isEmpty else { return }
        let typical = typicalInterval(times)
        var overlap = [Double](repeating: 0, count: classCount)
        var active: [Int] = []
        var next = 0
        var row = Row()
        for (index, t) in times.enumerated() {
            var lower = index == 0 ? t - typical : times[index - 1]
            row.continues = index > 0 && t - lower <= gapFactor * typical
            if !row.continues { lower = t - typical }
            let length = max(t - lower, 1e-9)
            while next < runs.count && runs[next].start < t {
                active.append(next)
                next += 1
            }
            row.classes.removeAll(keepingCapacity: true)
            row.concurrency.removeAll(keepingCapacity: true)
            row.interval = length
            var kept = 0
            for position in 0..<active.count {
                let run = runs[active[position]]
                if run.latestEnd <= lower { continue }
                active[kept] = active[position]
                kept += 1
                let covered = run.expectedOverlap(lower, t) * (weights?[active[position]] ?? 1)
                guard covered > 0 else { continue }
                let classIndex = Int(run.classIndex)
                if overlap[classIndex] == 0 { row.classes.append(run.classIndex) }
                overlap[classIndex] += covered
            }
            active.removeSubrange(kept...)
            if !row.classes.isEmpty {
                row.classes.sort()
                for classIndex in row.classes {
                    row.concurrency.append(overlap[Int(classIndex)] / length)
                    overlap[Int(classIndex)] = 0
                }
            }
            body(index, row)
        }
    }
}
