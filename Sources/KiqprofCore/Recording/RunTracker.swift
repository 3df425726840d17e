/// Reconstructs job runs from successive polls of the work hashes. Pure: it is fed what each poll saw.
///
/// A run starts at its work entry's `run_at` (exact, whole seconds). Sidekiq rewrites the work hash only at
/// its heartbeat, so a run that vanished ended after the last beat that still listed it and no later than
/// the beat that no longer did (or, without a beat, the poll that noticed): that interval is recorded as
/// [end_min, end_max]. A process that vanished from `processes` ends its runs with outcome `unknown`
/// (a clean stop requeues or finishes them); one whose hash expired while still listed crashed or was
/// killed, so its runs are `lost`.
///
/// Sidekiq flushes `stat:failed` in the same heartbeat that rewrites the work hash, before it, so when the
/// global failed counter did not move between the last poll that listed a run and the poll that found it
/// gone, the run succeeded (`ok`). Otherwise the outcome stays `unknown` until `RunOutcomeSettler` finds
/// its jid in `retry` or `dead`.
public struct RunTracker: Sendable {
    struct OpenRun: Sendable {
        var run: JobRun
        /// The beat of the last poll whose work hash listed this run.
        var lastSeenBeat: Double
        var lastSeenPoll: Double
        /// `stat:failed` at the last poll that listed this run.
        var failedAtLastSeen: Int64?
    }

    private var open: [String: OpenRun] = [:]

    public init() {}

    /// The runs currently in progress, as of the last poll.
    public var running: [JobRun] { open.values.map(\.run).sorted { ($0.start, $0.tid ?? "") < ($1.start, $1.tid ?? "") } }

    /// Feeds one poll; returns the runs that ended since the previous one.
    /// - Parameters:
    ///   - processes: the processes the poll read (live and gone).
    ///   - busy: every work entry the poll read.
    public mutating func observe(at time: Double, processes: [SidekiqProcess], busy: [BusyJob], failedCounter: Int64? = nil) -> [JobRun] {
        var processByIdentity: [String: SidekiqProcess] = [:]
        for process in processes { processByIdentity[process.identity] = process }
        var seen = Set<String>()
        for job in busy {
            let key = Self.key(job)
            seen.insert(key)
            let process = processByIdentity[job.identity]
            let beat = process?.beat ?? time
            if var existing = open[key] {
                existing.lastSeenBeat = max(existing.lastSeenBeat, beat)
                existing.lastSeenPoll = time
                existing.failedAtLastSeen = failedCounter
                open[key] = existing
            } else {
                let run = JobRun(
                    jid: job.jid, jobClass: job.jobClass, queue: job.queue, identity: job.identity,
                    host: process?.hostname ?? SidekiqProcess(identity: job.identity, state: .gone).hostname,
                    pid: process?.pid ?? SidekiqProcess(identity: job.identity, state: .gone).pid, tid: job.tid,
                    start: job.runAt, outcome: .running, source: .poll)
                open[key] = OpenRun(run: run, lastSeenBeat: beat, lastSeenPoll: time, failedAtLastSeen: failedCounter)
            }
        }
        var ended: [JobRun] = []
        for (key, entry) in open where !seen.contains(key) {
            var run = entry.run
            let process = run.identity.flatMap { processByIdentity[$0] }
            let endMin = max(run.start, entry.lastSeenBeat)
            let endMax: Double
            switch process?.state {
            case .live?:
                // The beat that rewrote the hash without this run bounds its end from above.
                endMax = max(endMin, min(time, process?.beat ?? time))
                let noFailure = failedCounter != nil && failedCounter == entry.failedAtLastSeen
                run.outcome = noFailure ? .ok : .unknown
            case .gone?:
                endMax = max(endMin, time)
                run.outcome = .lost
            case nil:
                endMax = max(endMin, time)
                run.outcome = .unknown
            }
            run.endMin = endMin
            run.endMax = endMax
            run.end = (endMin + endMax) / 2
            ended.append(run)
            open[key] = nil
        }
        return ended.sorted { ($0.start, $0.tid ?? "") < ($1.start, $1.tid ?? "") }
    }

    /// Ends every open run as `running` at `time`, for a recorder that stops while jobs still run.
    public mutating func flushOpen() -> [JobRun] {
        let runs = running
        open.removeAll()
        return runs
    }

    static func key(_ job: BusyJob) -> String {
        "\(job.identity)|\(job.tid)|\(job.jid ?? "")|\(Int(job.runAt))"
    }
}
