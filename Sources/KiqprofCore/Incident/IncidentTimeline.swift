/// The window cut into a few equal intervals (at most `maximumRows`), each with host resources and how
/// many runs of each top suspect overlapped it: the compact timeline of the terminal narrative.
public struct IncidentTimeline: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var start: Double
        public var cpuMeanPct: Double?
        public var cpuMaxPct: Double?
        public var memUsedMB: Double?
        public var memUsedPct: Double?
        public var load1: Double?
        public var inOutage = false
        /// Runs of each of `classes` overlapping this interval.
        public var runs: [Int]
    }

    public var width: Double
    public var classes: [String]
    public var buckets: [Bucket]

    public static let maximumRows = 30
    static let widths: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

    public static func build(dataset: IncidentDataset, from: Double, to: Double, outageWindows: [OutageWindow],
                             topClasses: [Int32], maximumRows: Int = IncidentTimeline.maximumRows) -> IncidentTimeline {
        let span = max(to - from, 1)
        let width = widths.first { span / $0 <= Double(maximumRows) } ?? (span / Double(maximumRows)).rounded(.up)
        let start = (from / width).rounded(.down) * width
        let count = max(1, Int(((to - start) / width).rounded(.up)))
        var buckets = (0..<count).map { Bucket(start: start + Double($0) * width, runs: [Int](repeating: 0, count: topClasses.count)) }
        var cpuSum = [Double](repeating: 0, count: count), cpuCount = [Double](repeating: 0, count: count)
        var memSum = [Double](repeating: 0, count: count), memCount = [Double](repeating: 0, count: count)
        var memPctSum = [Double](repeating: 0, count: count), memPctCount = [Double](repeating: 0, count: count)
        var loadSum = [Double](repeating: 0, count: count), loadCount = [Double](repeating: 0, count: count)
        func bucket(_ t: Double) -> Int? {
            let index = Int(((t - start) / width).rounded(.down))
            return index >= 0 && index < count ? index : nil
        }
        for point in dataset.hostPoints where point.t >= from && point.t <= to {
            guard let index = bucket(point.t) else { continue }
            if let cpu = point.cpuBusyPct {
                cpuSum[index] += cpu
                cpuCount[index] += 1
                buckets[index].cpuMaxPct = Swift.max(buckets[index].cpuMaxPct ?? 0, cpu)
            }
            if let mem = point.memUsedMB { memSum[index] += mem; memCount[index] += 1 }
            if let pct = point.memUsedPct { memPctSum[index] += pct; memPctCount[index] += 1 }
            if let load = point.load1 { loadSum[index] += load; loadCount[index] += 1 }
        }
        for index in 0..<count {
            if cpuCount[index] > 0 { buckets[index].cpuMeanPct = cpuSum[index] / cpuCount[index] }
            if memCount[index] > 0 { buckets[index].memUsedMB = memSum[index] / memCount[index] }
            if memPctCount[index] > 0 { buckets[index].memUsedPct = memPctSum[index] / memPctCount[index] }
            if loadCount[index] > 0 { buckets[index].load1 = loadSum[index] / loadCount[index] }
            let lower = buckets[index].start, upper = lower + width
            buckets[index].inOutage = outageWindows.contains { $0.from < upper && $0.to >= lower }
        }
        let column = Dictionary(uniqueKeysWithValues: topClasses.enumerated().map { ($1, $0) })
        for run in dataset.runs {
            guard let position = column[run.classIndex], run.end >= from, run.start <= to else { continue }
            let first = Swift.max(0, Int(((run.start - start) / width).rounded(.down)))
            let last = Swift.min(count - 1, Int(((run.end - start) / width).rounded(.down)))
            guard first <= last else { continue }
            for index in first...last { buckets[index].runs[position] += 1 }
        }
        return IncidentTimeline(width: width, classes: topClasses.map { dataset.classes[Int($0)] }, buckets: buckets)
    }
}
