/// CPU a local Sidekiq process spent outside its job threads: its whole CPU (`process_sample.cpu_pct`, from
/// /proc/PID/stat) less what its job threads used (`job_cpu_s`), per interval between two of its samples.
/// That is where a job's work goes when it runs on threads the job starts (`Thread.new`, a C library's pool):
/// the per-run thread measurement cannot see it, nor say whose it is. Pure: process samples in.
struct OffThreadCPU {
    /// One interval of one process: (start, end], the CPU per second spent outside its job threads.
    struct Interval {
        var start: Double, end: Double, rate: Double
    }

    /// By identity index, sorted by start and disjoint.
    private var intervals: [Int32: [Interval]] = [:]

    /// Samples carrying both figures make an interval with the process's previous sample. `processPoints` is
    /// sorted by time.
    init(_ processPoints: [IncidentDataset.ProcessPoint]) {
        var previous: [Int32: Double] = [:]
        for point in processPoints {
            let before = previous[point.identityIndex]
            previous[point.identityIndex] = point.t
            guard let before, point.t > before, let percent = point.cpuPct, let jobCPU = point.jobCPUSeconds else { continue }
            let rate = max(0, percent / 100 - jobCPU / (point.t - before))
            intervals[point.identityIndex, default: []].append(Interval(start: before, end: point.t, rate: rate))
        }
    }

    var isEmpty: Bool { intervals.isEmpty }

    /// CPU-seconds the process spent outside its job threads over [from, to]; nil when none of its samples
    /// cover any of it.
    func seconds(identity: Int32, from: Double, to: Double) -> Double? {
        guard let list = intervals[identity], to > from else { return nil }
        var index = IncidentAnalyzer.partition(list.count) { list[$0].end <= from }
        var seconds: Double?
        while index < list.count && list[index].start < to {
            let overlap = min(to, list[index].end) - max(from, list[index].start)
            if overlap > 0 { seconds = (seconds ?? 0) + overlap * list[index].rate }
            index += 1
        }
        return seconds
    }
}
