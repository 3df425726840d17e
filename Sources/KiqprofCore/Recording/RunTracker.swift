/// Reconstructs job runs from successive polls of the work hashes. Pure: it is fed what each poll saw.
///
/// A run starts at its work entry's `run_at` (exact, whole seconds). Sidekiq rewrites the work hash only at
/// its heartbeat, so a run that vanished ended after the last beat that still listed it and no later than
/// the beat that no longer did (or, without a beat, the poll that noticed): that interval is recorded as
/// [end_min, end_max]. A process that vanished from `processes` ends its runs with outcome `unknown`
/// (a clean stop requeues or finishes them), but only once it has stayed away for `vanishGrace`: a Redis
/// restarted empty or flushed underneath lists nothing until each process beats again, and a process that
/// comes back listing the same runs never stopped them. One whose hash expired while still listed crashed or
/// was killed, so its runs are `lost`.
///
/// Sidekiq flushes `stat:failed` in the same heartbeat that rewrites the work hash, before it (6.x: in the
/// same MULTI) and before the beat. The counter is read in a poll's first round trip, before the work in
/// its second, so when it did not move between the poll that last read a run in the work hash and the
/// poll that read the hash without it, the run succeeded (`ok`). Otherwise the outcome stays `unknown` until `RunOutcomeSettler` finds
/// its jid in `retry` or `dead`.
public struct RunTracker: Sendable {
    /// A run that ended, with the failed-counter evidence `RunOutcomeSettler` needs when it is not yet `ok`.
    public struct EndedRun: Sendable, Equatable {
        public var run: JobRun
        /// `stat:failed` at the poll that last read the run in its work hash, and at the poll that read the
        /// hash without it; failures flushed in between are the only ones this run could be.
        public var failedBefore: Int64?
        public var failedAfter: Int64?
        /// The times of those two polls.
        public var windowStart: Double
        public var windowEnd: Double
    }

    /// The open runs of one process; all of them were last seen by the same poll.
    struct ProcessRuns: Sendable {
        var runs: [String: JobRun] = [:]
        /// The beat of the last poll whose work hash listed these runs.
        var lastSeenBeat: Double
        /// `stat:failed` at that poll, and the poll's time.
        var failedAtLastSeen: Int64?
        var lastReadPoll: Double
        /// The first poll that found the process missing from `processes`, while its runs are held.
        var missingSince: Double?
        /// Whether its heartbeat was fresh when last read: only a beating process's runs are held when it goes missing.
        var beating = true
    }

    /// How long runs of a process missing from `processes` are held before they end: two of Sidekiq 7's
    /// 10 s beats and then some, enough for every process to beat into a Redis that came back empty.
    public static let vanishGrace = 25.0

    private var open: [String: ProcessRuns] = [:]

    public init() {}

    /// The runs currently in progress, as of the last poll.
    public var running: [JobRun] {
        Self.ordered(open.values.flatMap { $0.runs.values })
    }

    /// The runs in progress of these processes only, in the order of `running`: what a poll needs when only a
    /// few of its thousands of runs matter (copying and sorting them all would cost more than the poll).
    public func running(of identities: some Sequence<String>) -> [JobRun] {
        Self.ordered(identities.flatMap { open[$0]?.runs.values.map { $0 } ?? [] })
    }

    private static func ordered(_ runs: [JobRun]) -> [JobRun] {
        runs.sorted { ($0.start, $0.identity ?? "", $0.tid ?? "") < ($1.start, $1.identity ?? "", $1.tid ?? "") }
    }

    /// Feeds one poll; returns the runs that ended since the previous one.
    /// - Parameters:
    ///   - processes: the processes the poll read (live and gone).
    ///   - busy: every work entry the poll read.
    ///   - changed: the processes whose heartbeat changed since the previous poll, if the reader knows;
    ///     the others' work is unchanged, so only their bookkeeping is refreshed.
    public mutating func observe(
        at time: Double, processes: [SidekiqProcess], busy: [BusyJob], failedCounter: Int64? = nil, changed: Set<String>? = nil
    ) -> [EndedRun] {
        var processByIdentity: [String: SidekiqProcess] = [:]
        for process in processes { processByIdentity[process.identity] = process }
        var busyByIdentity: [String: [BusyJob]] = [:]
        for job in busy where changed?.contains(job.identity) ?? true { busyByIdentity[job.identity, default: []].append(job) }

        var ended: [EndedRun] = []
        for identity in Set(open.keys).union(busyByIdentity.keys) {
            let process = processByIdentity[identity]
            if let changed, !changed.contains(identity), let process, open[identity] != nil {
                // Same heartbeat as before: the same runs are still listed. The failed counter is not taken
                // here: Sidekiq may already have flushed a failure whose work rewrite and beat are still to
                // come, and counting it as "before" would call that failed run ok.
                open[identity]?.beating = !process.isStale(now: time)
                continue
            }
            let beat = process?.beat ?? time
            var entry = open[identity] ?? ProcessRuns(lastSeenBeat: beat, failedAtLastSeen: failedCounter, lastReadPoll: time)
            if process == nil && entry.beating {
                // Missing while it was beating (a Redis restarted empty, a FLUSHALL): held until it beats
                // again or the grace runs out; if it never does, its runs ended by the first miss.
                let since = entry.missingSince ?? time
                if time - since < Self.vanishGrace {
                    entry.missingSince = since
                    open[identity] = entry
                    continue
                }
            }
            let missingSince = entry.missingSince
            entry.missingSince = nil
            var seen = Set<String>()
            for job in busyByIdentity[identity] ?? [] {
                let key = Self.key(job)
                seen.insert(key)
                if entry.runs[key] == nil {
                    let parsed = SidekiqProcess(identity: job.identity, state: .gone)
                    entry.runs[key] = JobRun(
                        jid: job.jid, jobClass: job.jobClass, queue: job.queue, identity: job.identity,
                        host: process?.hostname ?? parsed.hostname, pid: process?.pid ?? parsed.pid, tid: job.tid,
                        start: job.runAt, outcome: .running, source: .poll)
                }
            }
            for (key, var run) in entry.runs where !seen.contains(key) {
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
                    endMax = max(endMin, missingSince ?? time)
                    run.outcome = .unknown
                }
                run.end = .between(endMin, endMax)
                ended.append(EndedRun(run: run, failedBefore: entry.failedAtLastSeen, failedAfter: failedCounter,
                                      windowStart: entry.lastReadPoll, windowEnd: time))
                entry.runs[key] = nil
            }
            entry.lastSeenBeat = max(entry.lastSeenBeat, beat)
            if let process { entry.beating = !process.isStale(now: time) }
            entry.failedAtLastSeen = failedCounter
            entry.lastReadPoll = time
            open[identity] = entry.runs.isEmpty ? nil : entry
        }
        return ended.sorted {
            ($0.run.start, $0.run.identity ?? "", $0.run.tid ?? "") < ($1.run.start, $1.run.identity ?? "", $1.run.tid ?? "")
        }
    }

    /// Hands over every open run, still `running`, for a recorder that stops while jobs run. `end_min`
    /// holds the last beat that listed each, so `adopt` can carry it into the next recording session.
    public mutating func flushOpen() -> [JobRun] {
        var runs: [JobRun] = []
        for entry in open.values {
            for var run in entry.runs.values {
                run.end = .openSince(entry.lastSeenBeat)
                runs.append(run)
            }
        }
        open.removeAll()
        return runs.sorted { ($0.start, $0.identity ?? "", $0.tid ?? "") < ($1.start, $1.identity ?? "", $1.tid ?? "") }
    }

    /// Takes over runs a previous session left `running`, so one execution stays one row across restarts.
    public mutating func adopt(_ runs: [JobRun]) {
        for run in runs {
            guard let identity = run.identity, let tid = run.tid else { continue }
            let key = "\(tid)|\(run.jid ?? "")|\(Int(run.start))"
            let seen = run.end.earliest ?? run.start
            var entry = open[identity] ?? ProcessRuns(lastSeenBeat: seen, failedAtLastSeen: nil, lastReadPoll: seen)
            var adopted = run
            adopted.id = nil
            adopted.end = .unknown
            entry.runs[key] = adopted
            entry.lastSeenBeat = min(entry.lastSeenBeat, seen)
            open[identity] = entry
        }
    }

    static func key(_ job: BusyJob) -> String {
        "\(job.tid)|\(job.jid ?? "")|\(Int(job.runAt))"
    }
}
