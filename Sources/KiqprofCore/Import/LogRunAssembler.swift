/// Pairs the start and done/fail lines of a Sidekiq log into job runs. Pure and streaming: feed it events in
/// log order, take completed runs as they come, and `finish()` at the end of the log.
///
/// A run's end is its done/fail line's time and its duration is Sidekiq's own `elapsed` (monotonic), so
/// the start is end − elapsed; without `elapsed` the start line's time is used. A fail after the process
/// hit its shutdown deadline is `interrupted` (Sidekiq::Shutdown; the job was pushed back), any other fail
/// is `failed`, with the error class from the error handler's next line on that thread. A start with no
/// end is `lost` when its process fell silent while the log went on, else still `running`.
public struct LogRunAssembler {
    /// A thread of a process. Thread ids are short base-36 strings, so up to 8 bytes are packed into an
    /// integer: hashing two integers per line is far cheaper than hashing a String.
    struct Thread: Hashable {
        let pid: Int
        let tid: UInt64
        let longTid: String?

        init(pid: Int, tid: String) {
            self.pid = pid
            var packed: UInt64 = 0
            var count = 0
            for byte in tid.utf8 {
                packed = packed << 8 | UInt64(byte)
                count += 1
            }
            self.tid = count <= 8 ? packed : 0
            self.longTid = count <= 8 ? nil : tid
        }
    }

    struct Open {
        let tid: String
        let jid: String
        let jobClass: String
        let start: Double
        let host: String?
    }

    public let defaultHost: String?
    private var open: [Thread: Open] = [:]
    /// A failed run held back until its error line (the next line on the thread) names the exception.
    private var awaitingError: [Thread: JobRun] = [:]
    private var shuttingDown = Set<Int>()
    private var lastTimeByPid: [Int: Double] = [:]
    private var lastTime: Double = 0
    private var completed: [JobRun] = []
    public private(set) var startLines = 0
    public private(set) var endLines = 0
    public private(set) var unmatchedEnds = 0

    public init(defaultHost: String?) {
        self.defaultHost = defaultHost
    }

    public mutating func consume(_ line: SidekiqLogLine) {
        switch line.event {
        case .start(let time, let pid, let tid, let jid, let jobClass):
            startLines += 1
            let thread = Thread(pid: pid, tid: tid)
            release(thread)
            note(pid, time)
            open[thread] = Open(tid: tid, jid: jid, jobClass: jobClass, start: time, host: line.host ?? defaultHost)
        case .end(let time, let pid, let tid, let jid, let jobClass, let elapsed, let failed):
            endLines += 1
            let thread = Thread(pid: pid, tid: tid)
            release(thread)
            note(pid, time)
            var startTime = elapsed.map { time - $0 }
            if let started = open.removeValue(forKey: thread) {
                if started.jid == jid { startTime = startTime ?? started.start } else { unmatchedEnds += 1 }
            } else {
                unmatchedEnds += 1
            }
            var run = JobRun(
                jid: jid, jobClass: jobClass, queue: nil, identity: nil, host: line.host ?? defaultHost, pid: pid, tid: tid,
                start: startTime ?? time, endMin: time, endMax: time, outcome: .ok, source: .log)
            run.end = time
            if failed {
                if shuttingDown.contains(pid) {
                    run.outcome = .interrupted
                    run.errorClass = "Sidekiq::Shutdown"
                    completed.append(run)
                } else {
                    run.outcome = .failed
                    awaitingError[thread] = run
                }
            } else {
                completed.append(run)
            }
        case .error(let pid, let tid, let errorClass):
            let thread = Thread(pid: pid, tid: tid)
            if var run = awaitingError.removeValue(forKey: thread) {
                run.errorClass = errorClass
                completed.append(run)
            }
        case .hardShutdown(let pid):
            shuttingDown.insert(pid)
        case .other:
            break
        }
    }

    /// Runs completed so far (a failed run waits for its error line first).
    public mutating func takeCompleted() -> [JobRun] {
        defer { completed.removeAll(keepingCapacity: true) }
        return completed
    }

    /// Ends the log: releases failed runs still waiting and turns starts without an end into open runs.
    public mutating func finish() -> [JobRun] {
        for thread in Array(awaitingError.keys) { release(thread) }
        for (thread, started) in open {
            var run = JobRun(
                jid: started.jid, jobClass: started.jobClass, queue: nil, identity: nil, host: started.host, pid: thread.pid,
                tid: started.tid, start: started.start, outcome: .running, source: .log)
            let silentSince = lastTimeByPid[thread.pid] ?? started.start
            if lastTime - silentSince > 60 {
                // Its process said nothing more while the log went on: it died with the job.
                run.outcome = .lost
                run.endMin = silentSince
                run.endMax = lastTime
                run.end = (silentSince + lastTime) / 2
            }
            completed.append(run)
        }
        open.removeAll()
        return takeCompleted().sorted { ($0.start, $0.tid ?? "") < ($1.start, $1.tid ?? "") }
    }

    private mutating func release(_ thread: Thread) {
        // Almost always empty: skip the hash lookup on the per-line path.
        guard !awaitingError.isEmpty, let run = awaitingError.removeValue(forKey: thread) else { return }
        completed.append(run)
    }

    private mutating func note(_ pid: Int, _ time: Double) {
        lastTimeByPid[pid] = time
        if time > lastTime { lastTime = time }
    }
}
