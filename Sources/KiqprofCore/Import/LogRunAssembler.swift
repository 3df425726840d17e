/// Pairs the start and done/fail lines of a Sidekiq log into job runs. Pure and streaming: feed it records in
/// log order, take completed runs as they come, and `finish()` at the end of the log.
///
/// A run's end is its done/fail line's time and its duration is Sidekiq's own `elapsed` (monotonic), so
/// the start is end − elapsed; without `elapsed` the start line's time is used. A fail after the process
/// hit its shutdown deadline is `interrupted` (Sidekiq::Shutdown; the job was pushed back), any other fail
/// is `failed`, with the error class from the error handler's next line on that thread. A start with no
/// end is `lost` when its process fell silent while the log went on, else still `running`.
struct LogRunAssembler {
    /// A thread of a process.
    struct Thread: Hashable {
        let pid: Int
        let tid: LogToken
    }

    struct Open {
        let jid: LogToken
        let jobClass: Int32
        let start: Double
        let host: Int32
    }

    private var open: [Thread: Open] = [:]
    /// A failed run held back until its error line (the next line on the thread) names the exception.
    private var awaitingError: [Thread: LogRun] = [:]
    private var shuttingDown = Set<Int>()
    /// The last time each process logged a job line; the last pid's slot is remembered, as consecutive
    /// lines mostly come from one process.
    private var lastTimes: [Double] = []
    private var slotByPid: [Int: Int] = [:]
    private var lastPid = -1
    private var lastSlot = -1
    private var lastTime: Double = 0
    private var completed: [LogRun] = []
    private(set) var startLines = 0
    private(set) var endLines = 0
    private(set) var unmatchedEnds = 0

    init() {}

    mutating func consume(_ record: LogRecord) {
        switch record.kind {
        case .start:
            startLines += 1
            let thread = Thread(pid: record.pid, tid: record.tid)
            release(thread)
            note(record.pid, record.time)
            open[thread] = Open(jid: record.jid, jobClass: record.name, start: record.time, host: record.host)
        case .end:
            endLines += 1
            let time = record.time
            let thread = Thread(pid: record.pid, tid: record.tid)
            release(thread)
            note(record.pid, time)
            var startTime = record.elapsed.map { time - $0 }
            if let started = open.removeValue(forKey: thread) {
                if started.jid == record.jid { startTime = startTime ?? started.start } else { unmatchedEnds += 1 }
            } else {
                unmatchedEnds += 1
            }
            var run = LogRun(
                jid: record.jid, tid: record.tid, pid: record.pid, jobClass: record.name, host: record.host,
                start: startTime ?? time, end: .exact(time), outcome: .ok)
            if record.failed {
                if shuttingDown.contains(record.pid) {
                    run.outcome = .interrupted
                    run.errorClass = SidekiqLogParser.State.shutdownError
                    completed.append(run)
                } else {
                    run.outcome = .failed
                    awaitingError[thread] = run
                }
            } else {
                completed.append(run)
            }
        case .error:
            let thread = Thread(pid: record.pid, tid: record.tid)
            if var run = awaitingError.removeValue(forKey: thread) {
                run.errorClass = record.name
                completed.append(run)
            }
        case .hardShutdown:
            shuttingDown.insert(record.pid)
        case .other:
            break
        }
    }

    /// Runs completed so far (a failed run waits for its error line first).
    mutating func takeCompleted() -> [LogRun] {
        defer { completed.removeAll(keepingCapacity: true) }
        return completed
    }

    /// Ends the log: releases failed runs still waiting and turns starts without an end into open runs.
    mutating func finish(names: [String]) -> [LogRun] {
        for thread in Array(awaitingError.keys) { release(thread) }
        for (thread, started) in open {
            var run = LogRun(
                jid: started.jid, tid: thread.tid, pid: thread.pid, jobClass: started.jobClass, host: started.host,
                start: started.start, outcome: .running)
            let silentSince = slotByPid[thread.pid].map { lastTimes[$0] } ?? started.start
            if lastTime - silentSince > 60 {
                // Its process said nothing more while the log went on: it died with the job.
                run.outcome = .lost
                run.end = .between(silentSince, lastTime)
            }
            completed.append(run)
        }
        open.removeAll()
        return takeCompleted()
            .map { ($0, $0.tid.string(names: names)) }
            .sorted { ($0.0.start, $0.1) < ($1.0.start, $1.1) }
            .map(\.0)
    }

    private mutating func release(_ thread: Thread) {
        // Almost always empty: skip the hash lookup on the per-line path.
        guard !awaitingError.isEmpty, let run = awaitingError.removeValue(forKey: thread) else { return }
        completed.append(run)
    }

    private mutating func note(_ pid: Int, _ time: Double) {
        if pid != lastPid {
            if let slot = slotByPid[pid] {
                lastSlot = slot
            } else {
                lastSlot = lastTimes.count
                slotByPid[pid] = lastSlot
                lastTimes.append(0)
            }
            lastPid = pid
        }
        lastTimes[lastSlot] = time
        if time > lastTime { lastTime = time }
    }
}
