/// Measures each run's CPU from the kernel's accounting of the thread that ran it, for Sidekiq processes on
/// the recorder's host. Pure: the recorder feeds it each poll's thread readings and runs.
///
/// A run's start is marked on every job thread of its process once the poll after its start second is in;
/// when the run ends, its CPU is estimated on every thread (`RunCPUEstimator`) and its evidence goes to the
/// process's `ThreadMappingLearner`. The run is then held until the learner is sure enough which thread is its
/// Sidekiq thread, for at most `hold` seconds, and released with that thread's estimate, or with a note.
public struct RunCPUMeter: Sendable {
    /// How long an ended run waits for its thread's mapping.
    public static let hold = 300.0
    /// How much per-thread history is kept; what a run needs from further back is marked at its start.
    static let horizon = 180.0

    private let localHost: String
    private var processes: [String: ProcessThreads] = [:]
    /// Open runs by key: their start marks on each thread, or why there are none.
    private var marks: [String: Marks] = [:]
    /// Recent starts on each Sidekiq thread (identity|tid): the next run's start ends the previous one.
    private var starts: [String: [Double]] = [:]
    private var ending: [JobRun] = []
    /// Where the last measured run on each Sidekiq thread (identity|tid) ended on every kernel thread, and the
    /// start of the run that followed it: that run starts counting there, so the two never count a second twice.
    private var lastEnds: [String: (nextStart: Double, cpu: [Int: Double])] = [:]
    private var held: [HeldRun] = []

    struct ProcessThreads: Sendable {
        var concurrency: Int
        var series = ThreadCPUSeries(horizon: RunCPUMeter.horizon)
        var learner = ThreadMappingLearner()
        var lastPoll: Double
    }

    enum Marks: Sendable {
        case pending
        case marked([Int: RunCPUEstimator.StartMark])
        case unseen
    }

    struct HeldRun: Sendable {
        var run: JobRun
        var estimates: [Int: RunCPU]
        var since: Double
    }

    public init(localHost: String) { self.localHost = localHost }

    /// Runs measured or noted but not yet released.
    public var heldCount: Int { held.count + ending.count }

    /// The local processes whose threads it follows: only their runs need to reach `observeRunning`.
    public var identities: [String] { Array(processes.keys) }

    /// Feeds one poll of a local process's threads; returns its job threads' CPU since its previous poll.
    public mutating func observe(identity: String, concurrency: Int?, at time: Double, threads: [ThreadCPUReading]?) -> Double? {
        guard let threads else { return nil }
        var process = processes[identity] ?? ProcessThreads(concurrency: concurrency ?? 0, lastPoll: time)
        if let concurrency { process.concurrency = concurrency }
        process.lastPoll = time
        var jobThreads = threads.filter { SidekiqThreadRole(name: $0.name) == .processor }
        if jobThreads.isEmpty {
            // Threads Sidekiq did not name (a Ruby that cannot): every one but the housekeeping ones may run jobs.
            jobThreads = threads.filter { SidekiqThreadRole(name: $0.name) == .other }
        }
        let used = process.series.append(at: time, readings: jobThreads)
        processes[identity] = process
        return used
    }

    /// The runs in progress as of this poll: each new one is marked on its process's threads.
    public mutating func observeRunning(_ runs: [JobRun]) {
        for run in runs {
            guard let identity = run.identity, let process = processes[identity] else { continue }
            let key = Self.key(run)
            guard marks[key] == nil else { continue }
            let startsBeforeHistory = (process.series.times.first ?? .infinity) > run.start
            marks[key] = startsBeforeHistory ? .unseen : .pending
            if let tid = run.tid {
                var list = starts["\(identity)|\(tid)", default: []]
                if !list.contains(run.start) { list.append(run.start) }
                starts["\(identity)|\(tid)"] = Array(list.suffix(16))
            }
        }
    }

    /// A run that ended (or was stored without ending); released by `release` once measured or noted.
    public mutating func end(_ run: JobRun) {
        ending.append(run)
    }

    /// Runs whose CPU is settled, measured or noted. `everything` settles all (the recorder stops).
    public mutating func release(at time: Double, everything: Bool = false) -> [JobRun] {
        markStarts()
        var released: [JobRun] = []
        var stillEnding: [JobRun] = []
        // In start order: a run's predecessor on its thread is settled first. A process no longer polled
        // (crashed, killed, exited) gives no more polls to wait for.
        for run in ending.sorted(by: { $0.start < $1.start }) {
            switch settleEnd(of: run, everything: everything || isSilent(run.identity, at: time)) {
            case .waiting: stillEnding.append(run)
            case .noted(let done): released.append(done)
            case .held(let estimates): held.append(HeldRun(run: run, estimates: estimates, since: time))
            }
        }
        ending = stillEnding
        var stillHeld: [HeldRun] = []
        for entry in held {
            if let done = settleMapping(of: entry, expired: everything || time - entry.since >= Self.hold) {
                released.append(done)
            } else {
                stillHeld.append(entry)
            }
        }
        held = stillHeld
        forgetSilentProcesses(at: time)
        return released
    }

    private enum EndSettlement {
        case waiting
        case noted(JobRun)
        case held([Int: RunCPU])
    }

    private mutating func settleEnd(of run: JobRun, everything: Bool) -> EndSettlement {
        let key = Self.key(run)
        var noted = run
        if run.host != nil && run.host != localHost {
            noted.cpuNote = .remote
            marks[key] = nil
            return .noted(noted)
        }
        guard let identity = run.identity, let process = processes[identity] else {
            noted.cpuNote = .unreadable
            marks[key] = nil
            return .noted(noted)
        }
        guard run.outcome != .running, let lastSeen = run.end.earliest else {
            marks[key] = nil  // still running when the recorder stopped: measured by the session that sees it end
            return .noted(run)
        }
        let startMarks: [Int: RunCPUEstimator.StartMark]
        switch marks[key] {
        case .marked(let marked)?:
            startMarks = marked
        case .pending? where !everything:
            return .waiting
        default:
            noted.cpuNote = .startUnseen
            marks[key] = nil
            return .noted(noted)
        }
        guard let tid = run.tid else {
            noted.cpuNote = .unmapped
            marks[key] = nil
            return .noted(noted)
        }
        let thread = "\(identity)|\(tid)"
        let nextStart = starts[thread]?.filter { $0 > run.start }.min()
        let latestEnd = min(run.end.latest ?? lastSeen, nextStart.map { $0 + 1 } ?? .infinity)
        // One poll past the latest end, so the pace after the run is known.
        if !everything, (process.series.lastTime ?? -.infinity) < latestEnd + 0.5 { return .waiting }
        marks[key] = nil
        var estimates: [Int: RunCPU] = [:]
        var ends: [Int: Double] = [:]
        let previous = lastEnds[thread].flatMap { $0.nextStart == run.start ? $0.cpu : nil }
        for (kernelTid, var mark) in startMarks {
            if let previousEnd = previous?[kernelTid] {
                // The run before on this thread ended within this start bracket, where its own estimate says.
                mark.atStart = min(max(previousEnd, mark.before), mark.after)
            }
            guard let estimate = RunCPUEstimator.estimate(tid: kernelTid, mark: mark, start: run.start, lastSeen: lastSeen,
                                                          latestEnd: latestEnd, nextStart: nextStart, in: process.series)
            else { continue }
            estimates[kernelTid] = RunCPU(seconds: estimate.seconds, minSeconds: estimate.min, maxSeconds: estimate.max, mapping: .likely)
            ends[kernelTid] = mark.atStart + estimate.seconds
        }
        if let nextStart { lastEnds[thread] = (nextStart, ends) } else { lastEnds[thread] = nil }
        let series = process.series
        if let from = series.index(atOrAfter: run.start + 1) {
            let seen = series.index(atOrBefore: lastSeen).map { $0 + 1 } ?? from
            let ended = series.index(atOrAfter: latestEnd).map { $0 + 1 } ?? series.times.count
            let certain = (from + 1)..<max(from + 1, seen)
            let bracket = certain.upperBound..<max(certain.upperBound, ended)
            let evidence = ThreadMappingLearner.evidence(of: series, certain: certain, bracket: bracket)
            processes[identity]?.learner.add(sidekiqTid: tid, jobClass: run.jobClass, evidence: evidence)
        }
        return .held(estimates)
    }

    /// The run with its thread's CPU once the mapping is sure enough; with a note once `expired`; else nil.
    private mutating func settleMapping(of entry: HeldRun, expired: Bool) -> JobRun? {
        var run = entry.run
        guard let identity = run.identity, let tid = run.tid, var process = processes[identity] else {
            run.cpuNote = .unmapped
            return run
        }
        let mapping = process.learner.mapping(of: tid, concurrency: process.concurrency)
        processes[identity] = process
        // A likely mapping waits for more evidence while it can: a process's first runs fit more than one thread
        // until the learner knows what each class's runs look like.
        if let mapping, let confidence = ThreadMappingConfidence(margin: mapping.margin), confidence == .sure || expired {
            guard var cpu = entry.estimates[mapping.tid] else {
                run.cpuNote = .startUnseen  // its thread was not there at the start's polls
                return run
            }
            cpu.mapping = confidence
            run.cpu = cpu
            return run
        }
        guard expired else { return nil }
        run.cpuNote = mapping == nil ? .unmapped : .unsure
        return run
    }

    private mutating func markStarts() {
        for (key, state) in marks {
            guard case .pending = state else { continue }
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let start = Double(parts[3]), let process = processes[String(parts[0])] else { continue }
            guard let last = process.series.lastTime, last >= start + 1 else { continue }
            var threadMarks: [Int: RunCPUEstimator.StartMark] = [:]
            for tid in process.series.tids {
                if let mark = RunCPUEstimator.startMark(of: tid, start: start, in: process.series) { threadMarks[tid] = mark }
            }
            marks[key] = threadMarks.isEmpty ? .unseen : .marked(threadMarks)
        }
    }

    /// Whether `identity`'s process has not been polled for `hold` seconds: it is gone.
    private func isSilent(_ identity: String?, at time: Double) -> Bool {
        guard let identity, let process = processes[identity] else { return false }
        return time - process.lastPoll > Self.hold
    }

    /// A process not polled for `hold` seconds is gone; its threads' state goes with it once nothing waits on it.
    private mutating func forgetSilentProcesses(at time: Double) {
        for (identity, process) in processes where time - process.lastPoll > Self.hold {
            let waiting = held.contains { $0.run.identity == identity } || ending.contains { $0.identity == identity }
            guard !waiting else { continue }
            processes[identity] = nil
            let prefix = identity + "|"
            starts = starts.filter { !$0.key.hasPrefix(prefix) }
            lastEnds = lastEnds.filter { !$0.key.hasPrefix(prefix) }
            marks = marks.filter { !$0.key.hasPrefix(prefix) }
        }
    }

    static func key(_ run: JobRun) -> String {
        "\(run.identity ?? "")|\(run.tid ?? "")|\(run.jid ?? "")|\(run.start)"
    }
}
