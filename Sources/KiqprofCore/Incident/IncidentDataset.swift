/// Everything `incident` analyses, loaded once from the store and kept in flat arrays with interned
/// names, so a day of a million runs stays a few tens of MB and every pass is a linear scan.
public struct IncidentDataset: Sendable {
    /// One job run. `end` is the best estimate; an open run (its process died, or still running) ends
    /// at the last instant the store has data for, and is left out of duration percentiles.
    public struct Run: Sendable, Equatable {
        public var classIndex: Int32
        public var start: Double
        public var end: Double
        public var isOpen: Bool
        /// Index into `identities` (-1 when unknown): the Sidekiq process that ran it.
        public var identityIndex: Int32
        /// Index into `hosts` (-1 when unknown).
        public var hostIndex: Int32
        /// The Sidekiq process's pid (-1 when unknown): what an OOM kill names.
        public var pid: Int32 = -1
        public var failed: Bool
        public var lost: Bool
        /// Why its CPU was not measured (a log's run: `log`); nil when it was, or when the store says nothing.
        public var cpuNote: RunCPUNote?
        /// Index into the dataset's `runCPU` (-1: not measured). Declared here, beside the flags, so it fills
        /// padding: a run stays 72 bytes, and a million of them cost no more memory than before.
        public var cpuIndex: Int32 = -1
        /// For a polled run, the bracket its end lies in (`end` is its middle); nil when the end is exact.
        public var endBracket: ClosedRange<Double>?

        public init(classIndex: Int32, start: Double, end: Double, isOpen: Bool = false, identityIndex: Int32 = -1,
                    hostIndex: Int32 = -1, failed: Bool = false, lost: Bool = false, endBracket: ClosedRange<Double>? = nil) {
            self.classIndex = classIndex
            self.start = start
            self.end = end
            self.isOpen = isOpen
            self.identityIndex = identityIndex
            self.hostIndex = hostIndex
            self.failed = failed
            self.lost = lost
            self.endBracket = endBracket
        }

        /// The analysis view of a stored run. An open run ends at `openUntil` (the last instant the store has
        /// data for). Only a polled run's bracket spreads its end; a log's lost run ends at its bracket's middle.
        public init(classIndex: Int32, start: Double, end: RunEnd, outcome: RunOutcome, source: RunSource, openUntil: Double,
                    identityIndex: Int32 = -1, hostIndex: Int32 = -1, pid: Int32 = -1) {
            let estimate = end.estimate
            self.init(classIndex: classIndex, start: start, end: estimate ?? max(start, openUntil),
                      isOpen: estimate == nil || outcome == .running, identityIndex: identityIndex, hostIndex: hostIndex,
                      failed: outcome == .failed, lost: outcome == .lost, endBracket: source == .poll ? end.bracket : nil)
            self.pid = pid
        }

        public var duration: Double { max(0, end - start) }

        /// The latest the run can have ended.
        public var latestEnd: Double { endBracket?.upperBound ?? end }

        /// Expected run time inside [lower, upper]: full weight until the end bracket, then the chance it was
        /// still running, which falls linearly across the bracket (an end is equally likely anywhere in it).
        /// Counting a polled run as over at the bracket's middle would hand the rest of its cost to whatever
        /// ran on past it.
        public func expectedOverlap(_ lower: Double, _ upper: Double) -> Double {
            let from = max(start, lower)
            guard let bracket = endBracket, bracket.upperBound > bracket.lowerBound else { return max(0, min(end, upper) - from) }
            let certain = max(0, min(bracket.lowerBound, upper) - from)
            let p = max(from, bracket.lowerBound), q = min(upper, bracket.upperBound)
            guard q > p else { return certain }
            let top = bracket.upperBound, width = top - bracket.lowerBound
            return certain + ((top - p) * (top - p) - (top - q) * (top - q)) / (2 * width)
        }
    }

    /// One host sample reduced to what the analysis uses. Memory is MiB.
    public struct HostPoint: Sendable, Equatable {
        public var t: Double
        public var hostIndex: Int32
        public var cpuBusyPct: Double?
        public var memUsedMB: Double?
        public var memTotalMB: Double?
        /// Percent of memory in use, for sources that report only that (CloudWatch).
        public var memUsedPct: Double?
        public var swapUsedMB: Double?
        public var load1: Double?
        public var cpuCount: Int?
        public var psiCPUSomeAvg10: Double?
        public var psiMemoryFullAvg10: Double?
        /// /proc/vmstat `oom_kill` and `pgmajfault` as read (cumulative within one boot), and the boot: an index
        /// into `bootIds` (-1 when unknown).
        public var oomKills: Int64?
        public var majorFaults: Int64?
        public var bootIndex: Int32 = -1
        public var bootTime: Double?
        /// EC2 burstable instances: CPU credits left (CloudWatch `CPUCreditBalance`), for `capacity`'s cross-check.
        public var cpuCreditBalance: Double?

        public init(t: Double, hostIndex: Int32, cpuBusyPct: Double? = nil, memUsedMB: Double? = nil, memTotalMB: Double? = nil,
                    memUsedPct: Double? = nil, swapUsedMB: Double? = nil, load1: Double? = nil, cpuCount: Int? = nil,
                    psiCPUSomeAvg10: Double? = nil, psiMemoryFullAvg10: Double? = nil) {
            self.t = t
            self.hostIndex = hostIndex
            self.cpuBusyPct = cpuBusyPct
            self.memUsedMB = memUsedMB
            self.memTotalMB = memTotalMB
            self.memUsedPct = memUsedPct
            self.swapUsedMB = swapUsedMB
            self.load1 = load1
            self.cpuCount = cpuCount
            self.psiCPUSomeAvg10 = psiCPUSomeAvg10
            self.psiMemoryFullAvg10 = psiMemoryFullAvg10
        }
    }

    /// One recorder sample of a Sidekiq process: its own CPU (percent of one core) and RSS.
    public struct ProcessPoint: Sendable, Equatable {
        public var t: Double
        public var identityIndex: Int32
        public var cpuPct: Double?
        public var rssMB: Double?
        /// Sidekiq's thread count for the process, from its heartbeat.
        public var concurrency: Int?
        /// CPU seconds its job (processor) threads used since the previous sample (`process_sample.job_cpu_s`).
        public var jobCPUSeconds: Double?

        public init(t: Double, identityIndex: Int32, cpuPct: Double?, rssMB: Double?, concurrency: Int? = nil,
                    jobCPUSeconds: Double? = nil) {
            self.t = t
            self.identityIndex = identityIndex
            self.cpuPct = cpuPct
            self.rssMB = rssMB
            self.concurrency = concurrency
            self.jobCPUSeconds = jobCPUSeconds
        }
    }

    /// One memory cgroup of local Sidekiq processes at one instant (once however many processes share it).
    /// Memory is MiB; `limitMB` is nil when unlimited; the counters are the kernel's, cumulative.
    public struct CgroupPoint: Sendable, Equatable {
        public var t: Double
        public var hostIndex: Int32
        /// Index into `cgroups`.
        public var cgroupIndex: Int32
        public var usageMB: Double
        /// Usage less inactive page cache, which the kernel reclaims before it fails an allocation.
        public var workingSetMB: Double
        public var limitMB: Double?
        public var limitHits: Int64?
        public var oomKills: Int64?
        /// v2 `high` events (cumulative), and v1's `under_oom` flag.
        public var highEvents: Int64?
        public var underOOM: Bool?

        public init(t: Double, hostIndex: Int32, cgroupIndex: Int32, usageMB: Double, workingSetMB: Double? = nil,
                    limitMB: Double?, limitHits: Int64? = nil, oomKills: Int64? = nil) {
            self.t = t
            self.hostIndex = hostIndex
            self.cgroupIndex = cgroupIndex
            self.usageMB = usageMB
            self.workingSetMB = workingSetMB ?? usageMB
            self.limitMB = limitMB
            self.limitHits = limitHits
            self.oomKills = oomKills
        }
    }

    public struct QueuePoint: Sendable, Equatable {
        public var t: Double
        public var queue: String
        public var latency: Double
        public var size: Int?

        public init(t: Double, queue: String, latency: Double, size: Int? = nil) {
            self.t = t
            self.queue = queue
            self.latency = latency
            self.size = size
        }
    }

    /// Retry, dead and the global counters as the recorder saw them.
    public struct SetPoint: Sendable, Equatable {
        public var t: Double
        public var retry: Int
        public var dead: Int
        public var processed: Int64?
        public var failed: Int64?

        public init(t: Double, retry: Int, dead: Int, processed: Int64?, failed: Int64?) {
            self.t = t
            self.retry = retry
            self.dead = dead
            self.processed = processed
            self.failed = failed
        }
    }

    /// A period the recorder could not observe (Redis down, heartbeats stale, host not sampled).
    public typealias Gap = ObservationGap

    public var classes: [String] = []
    public var identities: [String] = []
    public var hosts: [String] = []
    /// Sorted by start.
    public var runs: [Run] = []
    /// The CPU `record` measured for runs, which point here with `cpuIndex`: only measured runs take room.
    public var runCPU: [RunCPU] = []
    /// Sorted by time.
    public var hostPoints: [HostPoint] = []
    /// Sorted by time.
    public var processPoints: [ProcessPoint] = []
    /// Sorted by time; `cgroups` names their paths, `bootIds` the host points' boots.
    public var cgroupPoints: [CgroupPoint] = []
    public var cgroups: [String] = []
    public var bootIds: [String] = []
    public var queuePoints: [QueuePoint] = []
    /// Sorted by time.
    public var setPoints: [SetPoint] = []
    public var gaps: [Gap] = []
    /// Schedules seen in Redis, as the store last saw them (or as Redis holds them now: `preferSchedules`).
    public var schedules: [PeriodicSchedule] = []
    /// OOM kills from kernel logs, and boots (`Linux version` lines), sorted by time.
    public var oomKills: [OOMKill] = []
    public var boots: [(t: Double, host: String)] = []
    /// Whether Sidekiq 7+/8 per-class minute metrics were imported for the window.
    public var hasClassMetrics = false
    /// How many runs came from each source.
    public var runSources: [RunSource: Int] = [:]

    public init() {}

    /// Puts the schedules Redis holds now in place of the store's copies of the same schedules; the store's
    /// others stay (a schedule removed since still explains the runs it made).
    public mutating func preferSchedules(_ live: [PeriodicSchedule]) {
        let liveNames = Set(live.map { "\($0.source.rawValue)/\($0.name)" })
        schedules = live + schedules.filter { !liveNames.contains("\($0.source.rawValue)/\($0.name)") }
        schedulesFromRedis = true
    }

    /// Gives runs that name only their host and pid (a Sidekiq log's) the process identity `record` saw for that
    /// host and pid (`host:pid:nonce`), so a log imported into a recorded store keeps its runs' process CPU and
    /// RSS (a log run also replaces its polled twin, identity and all).
    public mutating func linkRunsToProcesses() {
        var byHostAndPid: [String: Int32] = [:]
        for (index, identity) in identities.enumerated() {
            let process = SidekiqProcess(identity: identity, state: .gone)
            if let pid = process.pid { byHostAndPid["\(process.hostname):\(pid)"] = Int32(index) }
        }
        guard !byHostAndPid.isEmpty else { return }
        for index in runs.indices where runs[index].identityIndex < 0 && runs[index].pid >= 0 && runs[index].hostIndex >= 0 {
            let key = "\(hosts[Int(runs[index].hostIndex)]):\(runs[index].pid)"
            if let identity = byHostAndPid[key] { runs[index].identityIndex = identity }
        }
    }

    /// The CPU measured for a run of this dataset; nil when it was not measured.
    public func cpu(of run: Run) -> RunCPU? {
        run.cpuIndex >= 0 && Int(run.cpuIndex) < runCPU.count ? runCPU[Int(run.cpuIndex)] : nil
    }

    /// Records the CPU measured for `runs[index]`.
    public mutating func setCPU(_ cpu: RunCPU, ofRun index: Int) {
        runs[index].cpuIndex = Int32(runCPU.count)
        runs[index].cpuNote = nil
        runCPU.append(cpu)
    }

    /// Whether anything in the dataset was measured per run: a run's CPU or a process's job-thread CPU.
    public var hasMeasuredCPU: Bool {
        !runCPU.isEmpty || processPoints.contains { $0.jobCPUSeconds != nil }
    }

    /// Whether `preferSchedules` was given Redis's schedules (so none missing means none defined).
    public var schedulesFromRedis = false

    /// Interns names while building a dataset by hand (tests) or from rows.
    public struct Interner: Sendable {
        public private(set) var names: [String] = []
        private var indices: [String: Int32] = [:]

        public init() {}

        public mutating func index(_ name: String) -> Int32 {
            if let index = indices[name] { return index }
            let index = Int32(names.count)
            names.append(name)
            indices[name] = index
            return index
        }
    }
}
