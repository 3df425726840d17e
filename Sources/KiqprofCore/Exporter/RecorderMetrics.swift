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
        public var status: SidekiqStatus?
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
            guard let status else { return }
            let live = Set(status.processes.map(\.identity))
            // The recorder's reads list busy jobs only for processes that beat since the last poll.
            var busy = status.busy
            if let changed = status.changedIdentities, let previous = snapshot.status?.busy {
                busy += previous.filter { live.contains($0.identity) && !changed.contains($0.identity) }
                busy.sort { ($0.runAt, $0.identity, $0.tid) < ($1.runAt, $1.identity, $1.tid) }
            }
            snapshot.status = status
            snapshot.status?.busy = busy
            snapshot.processes = snapshot.processes.filter { live.contains($0.key) }
            for sample in processes { snapshot.processes[sample.identity] = sample }
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
