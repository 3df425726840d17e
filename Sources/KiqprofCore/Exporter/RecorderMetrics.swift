import Synchronization

/// What `record --listen` exposes, kept up to date by the recorder's thread and read by the listener's:
/// the last Sidekiq state and host sample, each process's newest sample, and per-class run counts and
/// duration histograms since the recorder started (Prometheus counters restart with the process).
public final class RecorderMetrics: Sendable {
    /// Upper bounds of the duration histogram's buckets, seconds: polled runs last at least a heartbeat.
    public static let durationBounds: [Double] = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]

    public struct ClassRuns: Sendable, Equatable {
        public var outcomes: [RunOutcome: Int] = [:]
        /// Closed runs per bucket of `durationBounds` (the last slot is above every bound), and their sum.
        public var buckets: [Int] = Array(repeating: 0, count: RecorderMetrics.durationBounds.count + 1)
        public var durationSum = 0.0
    }

    public struct Snapshot: Sendable {
        public var startedAt: Double
        public var lastPoll: Double?
        public var polls = 0
        public var redisUp = false
        /// The last Sidekiq state read; its busy jobs are in `busy`, by process.
        public var status: SidekiqStatus?
        public var busy: [String: [BusyJob]] = [:]
        public var host: HostSample?
        public var processes: [String: ProcessSample] = [:]
        public var classes: [String: ClassRuns] = [:]
    }

    private let state: Mutex<Snapshot>

    public init(startedAt: Double) {
        state = Mutex(Snapshot(startedAt: startedAt))
    }

    public func snapshot() -> Snapshot { state.withLock { $0 } }

    /// One poll: the host sample always; Sidekiq's state and the process samples when Redis answered.
    public func poll(at time: Double, host: HostSample, status: SidekiqStatus?, processes: [ProcessSample]) {
        state.withLock { snapshot in
            snapshot.polls += 1
            snapshot.lastPoll = time
            snapshot.host = host
            snapshot.redisUp = status != nil
            guard var status else { return }
            let live = Set(status.processes.map(\.identity))
            // The recorder's reads list busy jobs only for processes that beat since the last poll (nil: all read
            // afresh): replace just theirs, so a poll costs what changed, not every busy job.
            let changed = status.changedIdentities ?? live
            var fresh: [String: [BusyJob]] = [:]
            for job in status.busy where changed.contains(job.identity) { fresh[job.identity, default: []].append(job) }
            for identity in changed { snapshot.busy[identity] = fresh[identity] ?? [] }
            for identity in snapshot.busy.keys where !live.contains(identity) { snapshot.busy[identity] = nil }
            for identity in snapshot.processes.keys where !live.contains(identity) { snapshot.processes[identity] = nil }
            for sample in processes { snapshot.processes[sample.identity] = sample }
            status.busy = []
            snapshot.status = status
        }
    }

    /// Runs the recorder wrote: counted by outcome; closed ones also by duration.
    public func record(runs: [JobRun]) {
        guard !runs.isEmpty else { return }
        state.withLock { snapshot in
            for run in runs where run.outcome != .running {
                var entry = snapshot.classes[run.jobClass] ?? ClassRuns()
                entry.outcomes[run.outcome, default: 0] += 1
                if let duration = run.duration {
                    let slot = Self.durationBounds.firstIndex { duration <= $0 } ?? Self.durationBounds.count
                    entry.buckets[slot] += 1
                    entry.durationSum += duration
                }
                snapshot.classes[run.jobClass] = entry
            }
        }
    }
}
