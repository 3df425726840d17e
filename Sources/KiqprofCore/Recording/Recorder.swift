import Foundation

/// `kiqprof record`: polls Sidekiq every `interval`, samples the host from /proc at every poll (even while
/// Redis is unreachable), reconstructs job runs and writes everything in batches to the store.
///
/// Sidekiq, the host and time come in through `SidekiqStateSource`, `HostSampling` and `RecorderClock`, so
/// unit tests can script them; `init(options:store:log:)` builds the real ones.
public final class Recorder {
    public struct Options: Sendable {
        public var endpoint: RedisEndpoint
        public var keyspace: SidekiqKeyspace
        public var cronNamespaces: [String] = ["default"]
        public var interval: Double = 1
        public var flushInterval: Double = 5
        public var retain: Double = 14 * 86400
        public var duration: Double?
        public var timeout: Double = 2
        public var hostName: String = ProcHostSampler.hostName()
        public var procRoot: String = "/proc"
        public var cgroupRoot: String = "/sys/fs/cgroup"
        /// Where to write what the CPU meter is fed (`RunCPUTrace`, JSON lines), for replaying it; nil: nowhere.
        public var threadTrace: String?

        public init(endpoint: RedisEndpoint, keyspace: SidekiqKeyspace) {
            self.endpoint = endpoint
            self.keyspace = keyspace
        }
    }

    public struct Summary: Sendable {
        public var polls = 0
        public var runsRecorded = 0
        /// Runs whose CPU was measured from their thread (`RunCPUMeter`), and why the others were not.
        public var runsMeasured = 0
        public var runsNotMeasured: [RunCPUNote: Int] = [:]
        public var hostSamples = 0
        public var gaps = 0
        /// Polls that reached Redis, and the round trips and commands they took (reconnects excluded).
        public var redisPolls = 0
        public var roundTrips = 0
        public var commands = 0
    }

    private let options: Options
    private let store: Store
    private let source: SidekiqStateSource
    private let sampler: HostSampling
    private let clock: RecorderClock
    private var tracker = RunTracker()
    private var meter: RunCPUMeter
    private var trace: FileHandle?
    private var batch = RecordBatch()
    private var summary = Summary()
    /// When Redis became unreachable, and why; closed into a gap when it answers again.
    private var redisDownSince: (Double, String)?
    private var lastConnectAttempt = -Double.infinity
    private var lastSampleAt: Double?
    private var lastScheduleRead = -Double.infinity
    /// Runs that ended while the failed counter moved; checked against retry/dead in the next poll.
    private var pendingOutcome: [RunTracker.EndedRun] = []
    private var settler = RunOutcomeSettler()
    /// Processes whose heartbeat stopped (stale, or gone with the hash expired): since when, and why.
    private var silentSince: [String: (from: Double, why: String)] = [:]
    /// Since when writes to the store fail, how many did, and when that was last reported.
    private var storeFailing: (since: Double, count: Int, lastReported: Double)?
    /// The beat of each process's last written sample: a remote process's fields change only at its beat.
    private var lastWrittenBeat: [String: Double] = [:]
    private let log: (String) -> Void
    /// What `record --listen` serves; nil when nothing listens.
    public var metrics: RecorderMetrics?

    /// - Parameter options: only the polling, flushing and retention settings and the host name are used;
    ///   the connection settings, `procRoot` and `cgroupRoot` belong to the real source and sampler.
    public init(
        options: Options, store: Store, source: SidekiqStateSource, sampler: HostSampling, clock: RecorderClock,
        log: @escaping (String) -> Void = { _ in }
    ) {
        self.options = options
        self.store = store
        self.source = source
        self.sampler = sampler
        self.clock = clock
        self.log = log
        meter = RunCPUMeter(localHost: options.hostName)
        if let path = options.threadTrace, FileManager.default.createFile(atPath: path, contents: nil) {
            trace = FileHandle(forWritingAtPath: path)
        }
    }

    /// `kiqprof record`'s recorder: Redis at `options.endpoint`, /proc at `options.procRoot`, the system clocks.
    public convenience init(options: Options, store: Store, log: @escaping (String) -> Void = { _ in }) {
        let source = RedisStateSource(
            endpoint: options.endpoint, keyspace: options.keyspace, cronNamespaces: options.cronNamespaces, timeout: options.timeout)
        let sampler = ProcHostSampler(root: options.procRoot, cgroupRoot: options.cgroupRoot)
        self.init(options: options, store: store, source: source, sampler: sampler,
                  clock: SystemRecorderClock(), log: log)
    }

    /// Records until `shouldStop()` is true or `duration` has passed; flushes everything before returning.
    public func run(shouldStop: () -> Bool) throws -> Summary {
        // Runs the last session left open continue here instead of becoming duplicates.
        let adopted = try store.takeRunningPolledRuns()
        tracker.adopt(adopted)
        if !adopted.isEmpty { log("continuing \(adopted.count) runs that were in progress when the last recording stopped") }
        let started = clock.monotonic()
        var nextPoll = started
        var lastFlush = started
        var lastPrune = -Double.infinity
        while !shouldStop() {
            if let duration = options.duration, clock.monotonic() - started >= duration { break }
            poll(at: clock.now())
            let monotonic = clock.monotonic()
            if monotonic - lastFlush >= options.flushInterval {
                flush()
                lastFlush = monotonic
            }
            if monotonic - lastPrune >= 60 {
                lastPrune = monotonic
                do { try store.prune(before: clock.now() - options.retain) } catch { log("retention: \(error)") }
            }
            nextPoll += options.interval
            let now = clock.monotonic()
            if nextPoll < now { nextPoll = now }  // fell behind (a starved host): don't burst to catch up
            clock.sleep(until: nextPoll, shouldStop: shouldStop)
        }
        // Close what is open so nothing of this session is lost.
        let now = clock.now()
        if let (since, reason) = redisDownSince { addGap(from: since, to: now, kind: .redis, reason: reason) }
        for (identity, silence) in silentSince.sorted(by: { $0.key < $1.key }) {
            addGap(from: silence.from, to: now, kind: .heartbeat,
                   reason: "\(identity): \(silence.why) (still silent when recording stopped)")
        }
        let stillRunning = tracker.flushOpen()
        finish(settler.settle(pendingOutcome, replies: [], now: now) + settler.drain() + stillRunning, at: now, everything: true)
        pendingOutcome = []
        summary.runsRecorded += stillRunning.count
        flush()
        return summary
    }

    /// One poll: the host first (it must be sampled even when Redis is down), then Redis.
    func poll(at time: Double) {
        summary.polls += 1
        if let last = lastSampleAt, time - last >= 3 * options.interval {
            let reason = "no host sample for \(DurationExpression.humanize(time - last)): the host or the recorder was starved"
            addGap(from: last, to: time, kind: .host, reason: reason)
        }
        lastSampleAt = time
        let hostSample = sampler.sample(at: time, host: options.hostName)
        batch.hostSamples.append(hostSample)
        summary.hostSamples += 1

        guard connectSource(at: time) else {
            metrics?.poll(at: time, host: hostSample, status: nil, processes: [])
            finish([], at: time)
            return
        }
        do {
            let includeSchedules = time - lastScheduleRead >= 60
            let read = try source.poll(now: time, includeSchedules: includeSchedules, outcomeChecks: pendingOutcome)
            let status = read.status
            summary.redisPolls += 1
            summary.roundTrips += read.roundTrips
            summary.commands += read.commands
            var finished = settler.settle(pendingOutcome, replies: read.outcomeReplies, now: time)
            pendingOutcome = []
            if includeSchedules {
                lastScheduleRead = time
                batch.schedules = status.schedules
                batch.schedulesSeenAt = time
            }
            if let (since, reason) = redisDownSince {
                addGap(from: since, to: time, kind: .redis, reason: reason)
                redisDownSince = nil
                source.timeout = options.timeout
                log("Redis answers again after \(DurationExpression.humanize(time - since))")
            }
            let ended = tracker.observe(
                at: time, processes: status.processes, busy: status.busy, failedCounter: status.failed, changed: status.changedIdentities)
            for entry in ended {
                if entry.run.outcome == .unknown && entry.run.jid != nil {
                    pendingOutcome.append(entry)
                } else {
                    finished.append(entry.run)
                }
            }
            summary.runsRecorded += ended.count
            let firstProcessSample = batch.processSamples.count
            var cgroupsRead = Set<String>()
            for process in status.processes {
                var sample = RecordBatch.ProcessSample(
                    t: time, identity: process.identity, host: process.hostname, pid: process.pid, busy: process.busy,
                    concurrency: process.concurrency, rssKiB: process.rssKiB, rttMicros: process.rttMicros, beat: process.beat,
                    quiet: process.quiet, cpuPct: nil, procRssKiB: nil)
                if process.state == .live, process.hostname == options.hostName, let pid = process.pid,
                    let usage = sampler.processUsage(pid: pid, at: time)
                {
                    sample.cpuPct = usage.cpuPct
                    sample.procRssKiB = usage.rssKiB
                    let threads = sampler.threadCPU(pid: pid)
                    sample.jobCPUSeconds = meter.observe(identity: process.identity, concurrency: process.concurrency, at: time,
                                                         threads: threads)
                    if trace != nil {
                        var line = RunCPUTrace(kind: .threads, t: time)
                        line.identity = process.identity
                        line.concurrency = process.concurrency
                        line.threads = threads
                        write(line)
                    }
                    if let memory = sampler.cgroupMemory(pid: pid, at: time) {
                        // Processes in one cgroup share its reading: stored once a poll, on the first of them.
                        sample.cgroupPath = memory.path
                        if cgroupsRead.insert(memory.path).inserted { memory.record(into: &sample) }
                    }
                }
                // Local processes every poll (their CPU is measured here); others once per heartbeat.
                let beatKey = process.beat ?? -1
                guard sample.procRssKiB != nil || lastWrittenBeat[process.identity] != beatKey else { continue }
                lastWrittenBeat[process.identity] = beatKey
                batch.processSamples.append(sample)
            }
            let localRunning = tracker.running(of: meter.identities)
            meter.observeRunning(localRunning)
            if trace != nil {
                var line = RunCPUTrace(kind: .running, t: time)
                line.runs = localRunning.map(RunCPUTrace.Run.init)
                write(line)
            }
            finish(finished, at: time)
            trackHeartbeats(status.processes, at: time)
            if let metrics {
                metrics.poll(at: time, host: hostSample, status: status, processes: Array(batch.processSamples[firstProcessSample...]))
            }
            for queue in status.queues {
                batch.queueSamples.append(.init(t: time, queue: queue.name, size: queue.size, latency: queue.latency))
            }
            batch.setSamples.append(.init(t: time, retry: status.retrySize, schedule: status.scheduleSize, dead: status.deadSize,
                                          processed: status.processed, failed: status.failed))
        } catch {
            disconnect(at: time, reason: "\(error)")
            metrics?.poll(at: time, host: hostSample, status: nil, processes: [])
            finish([], at: time)
        }
    }

    /// Ended runs go to the store through the CPU meter, which holds each until its thread's CPU is settled.
    private func finish(_ runs: [JobRun], at time: Double, everything: Bool = false) {
        for run in runs { meter.end(run) }
        let released = meter.release(at: time, everything: everything)
        if trace != nil {
            var ended = RunCPUTrace(kind: .ended, t: time)
            ended.runs = runs.map(RunCPUTrace.Run.init)
            if !runs.isEmpty { write(ended) }
            var release = RunCPUTrace(kind: .release, t: time)
            release.everything = everything
            write(release)
        }
        for run in released {
            if run.cpu != nil { summary.runsMeasured += 1 }
            if let note = run.cpuNote { summary.runsNotMeasured[note, default: 0] += 1 }
        }
        batch.runs += released
    }

    /// A process that stops beating (stalled, crashed, OOM-killed) leaves a heartbeat gap: from its last
    /// beat until it beats again or leaves the process set.
    private func trackHeartbeats(_ processes: [SidekiqProcess], at time: Double) {
        var listed = Set<String>()
        for process in processes {
            listed.insert(process.identity)
            if process.isStale(now: time) {
                if silentSince[process.identity] == nil {
                    let why = process.state == .gone
                        ? "no heartbeat, hash expired (crashed or killed)"
                        : "no heartbeat for over \(Int(process.staleAfterSeconds)) s"
                    silentSince[process.identity] = (process.beat ?? time, why)
                }
            } else if let silence = silentSince.removeValue(forKey: process.identity) {
                addGap(from: silence.from, to: process.beat ?? time, kind: .heartbeat, reason: "\(process.identity): \(silence.why)")
            }
        }
        for (identity, silence) in silentSince where !listed.contains(identity) {
            addGap(from: silence.from, to: time, kind: .heartbeat, reason: "\(identity): \(silence.why); then left the process set")
            silentSince[identity] = nil
        }
    }

    /// True when the source is connected, reconnecting first if needed.
    private func connectSource(at time: Double) -> Bool {
        if source.isConnected { return true }
        // Reconnect at most once a second, whatever the poll interval.
        guard time - lastConnectAttempt >= 1 else { return false }
        lastConnectAttempt = time
        do {
            try source.connect()
            return true
        } catch {
            disconnect(at: time, reason: "\(error)")
            return false
        }
    }

    private func disconnect(at time: Double, reason: String) {
        source.disconnect()
        if redisDownSince == nil {
            redisDownSince = (time, reason)
            // A paused or stopped Redis would hold every poll for the full timeout: while it is down, a wait
            // ends in time for the next host sample.
            source.timeout = min(options.timeout, max(0.05, options.interval / 2))
            log("Redis unreachable, sampling the host meanwhile: \(reason)")
        }
    }

    private func write(_ line: RunCPUTrace) {
        guard let trace, let data = try? JSONEncoder().encode(line) else { return }
        trace.write(data + Data("\n".utf8))
    }

    private func addGap(from: Double, to: Double, kind: ObservationGap.Kind, reason: String) {
        batch.gaps.append(.init(from: from, to: to, kind: kind, reason: reason))
        summary.gaps += 1
    }

    /// Writes the batch; on a store error (disk full, locked) keeps it and retries at the next flush. A
    /// failure is reported once a minute while it lasts (a full disk fails every flush), and its end once.
    private func flush() {
        guard !batch.isEmpty else { return }
        do {
            try store.write(batch)
            metrics?.record(runs: batch.runs)
            batch = RecordBatch()
            if let failing = storeFailing {
                log("the store is writable again after \(DurationExpression.humanize(clock.monotonic() - failing.since)) "
                    + "(\(failing.count) failed writes); nothing was lost")
                storeFailing = nil
            }
        } catch {
            let now = clock.monotonic()
            var failing = storeFailing ?? (since: now, count: 0, lastReported: -Double.infinity)
            failing.count += 1
            if now - failing.lastReported >= 60 {
                failing.lastReported = now
                log("cannot write to the store, keeping \(batch.hostSamples.count) host samples and \(batch.runs.count) runs "
                    + "in memory and retrying every flush (reported once a minute): \(error)")
            }
            storeFailing = failing
        }
    }
}

// Owns its source's connection and its sampler's state; runs on the one thread that called `run`.
@available(*, unavailable)
extension Recorder: Sendable {}
