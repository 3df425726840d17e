/// A run's CPU on one kernel thread, from polls that bracket its start and end.
///
/// The start is known to the second (`run_at`), the end only between the last heartbeat that listed the run
/// and the first that did not (5 or 10 s). Bounds take the brackets at their widest and narrowest. The
/// estimate takes the thread's CPU in the start bracket beyond what it was using before, everything while the
/// run surely ran, and then each poll after for as long as the thread keeps at least a third of the run's pace
/// (others may slow it through the GVL; time in a busy host's run queue counts as pace); at the poll where the
/// pace breaks, the run ended, and that poll adds what the thread used beyond its pace afterwards.
enum RunCPUEstimator {
    /// Where one thread stood at a run's start: CPU used so far at the estimated start, and at the polls just
    /// before (for the upper bound) and just after (for the lower bound) the start's second.
    struct StartMark: Sendable, Equatable {
        var atStart: Double
        var before: Double
        var after: Double
        /// The poll just after the start's second.
        var afterTime: Double
    }

    /// The mark of `tid` for a run that started in `[start, start + 1)`; nil when the series does not reach both
    /// sides of that second or the thread was absent there.
    static func startMark(of tid: Int, start: Double, in series: ThreadCPUSeries) -> StartMark? {
        guard let p0 = series.index(atOrBefore: start), let p1 = series.index(atOrAfter: start + 1),
            let before = series.cpu(tid, at: p0), let after = series.cpu(tid, at: p1)
        else { return nil }
        // Before the start the thread ran its previous job or waited; that pace continues to mid-second.
        let background = p0 > 0 ? series.rate(tid, in: p0) ?? 0 : 0
        let pre = min(after - before, background * max(0, start + 0.5 - series.times[p0]))
        return StartMark(atStart: before + pre, before: before, after: after, afterTime: series.times[p1])
    }

    /// - Parameters:
    ///   - lastSeen: when the run was surely still running (the last beat that listed it).
    ///   - latestEnd: when it had surely ended (the first beat without it, or a second after the next run's start
    ///     on its thread).
    ///   - nextStart: the `run_at` of the next run on its thread: the two split what the thread used in that
    ///     second at its middle, where the next run's start mark splits it.
    static func estimate(tid: Int, mark: StartMark, start: Double, lastSeen: Double, latestEnd: Double, nextStart: Double?,
                         in series: ThreadCPUSeries) -> (seconds: Double, min: Double, max: Double)? {
        let cut = min(latestEnd, nextStart.map { $0 + 0.5 } ?? .infinity)
        guard let q0 = series.index(atOrBefore: max(lastSeen, mark.afterTime)), let atSeen = series.cpu(tid, at: q0) else { return nil }
        let certain = atSeen - mark.atStart
        let rate = max(0, certain) / max(series.times[q0] - (start + 0.5), 0.5)
        // Whether the run goes on is judged on demand (CPU used plus time waiting for one), so a run that a busy
        // host starves of CPU is not taken for one that ended.
        var demandRate = rate
        if let first = series.index(atOrAfter: mark.afterTime), q0 > first, series.times[q0] - series.times[first] >= 1 {
            let wanted = ((first + 1)...q0).reduce(0.0) { $0 + (series.demand(tid, in: $1) ?? 0) }
            demandRate = wanted / (series.times[q0] - series.times[first])
        }
        var tail = 0.0
        var index = q0 + 1
        while index < series.times.count, series.times[index - 1] < cut, let used = series.used(tid, in: index) {
            let from = series.times[index - 1], to = series.times[index]
            if to > cut {
                // It ended by `cut`: at most its pace until then.
                tail += min(used * (cut - from) / (to - from), rate * (cut - from))
                break
            }
            let pace = used / max(to - from, 1e-3)
            let demandPace = (series.demand(tid, in: index) ?? used) / max(to - from, 1e-3)
            // A run may speed up (a hog beside it ended and left it the GVL), but a sleeping run does not turn
            // CPU-bound: that is the next job.
            let sleptThenBurned = rate < 0.05 && pace > 0.3
            if demandPace >= 0.3 * demandRate - 0.02 && !sleptThenBurned {
                tail += used
                index += 1
                continue
            }
            // The pace broke: the run ended here. What it used beyond the thread's next pace was the run's.
            let after = index + 1 < series.times.count ? series.rate(tid, in: index + 1) ?? 0 : 0
            tail += min(max(0, used - after * (to - from)), rate * (to - from))
            break
        }
        let lower = q0 >= (series.index(atOrAfter: mark.afterTime) ?? .max) ? max(0, atSeen - mark.after) : 0
        let upperIndex = series.index(atOrAfter: latestEnd) ?? series.times.count - 1
        let upper = max(lower, (series.cpu(tid, at: upperIndex) ?? atSeen + tail) - mark.before)
        let seconds = min(max(certain + tail, lower), upper)
        return (seconds, lower, upper)
    }
}
