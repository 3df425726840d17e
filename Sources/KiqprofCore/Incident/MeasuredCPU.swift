/// The CPU `record` measured per run (each run's thread, from the kernel's accounting), added up per class over
/// a scope (the analysis window, and the outage windows when there are any) and set against the CPU the host
/// spent there; and per Sidekiq process, the job-thread CPU no seen run explains. Pure: a dataset in, numbers out.
///
/// A run partly inside a scope counts its CPU in proportion: cpu_s × (its time inside ÷ its duration). Per-run
/// figures (CPU per run-second, CPU-seconds per run) take the measured runs whole. The host's CPU-seconds are
/// Σ busy share × cores × interval over its samples, as `capacity` computes them (`CapacityAnalyzer.cpuIntervals`),
/// clipped to the scope. Nothing is spread by guesswork: what the processes' job threads used beyond the measured
/// runs (jobs shorter than a poll) is reported as unattributed job CPU, per process.
public struct MeasuredCPU: Sendable, Equatable {
    /// The reason counted for a run without measured CPU whose row gives none (recorded before v6, or by a
    /// recorder that does not measure).
    public static let noNote = "none"
    /// Measured runs must cover this share of a class's run time in the window before their CPU replaces the
    /// inferred one in the score.
    public static let scoringCoverage = 0.5
    /// The measurement and the joint attribution disagree when they differ by more than this many percentage
    /// points of the host and by more than this share of the larger of the two.
    public static let disagreementPP = 10.0
    public static let disagreementShare = 0.5
    /// While a class's runs were in progress, their processes spent at least this much CPU per run-second outside
    /// their job threads (a quarter of a core): then its threads' CPU may not be all its cost, and the score
    /// keeps to the joint attribution.
    public static let offThreadLimit = 0.25

    /// One class's runs over one scope.
    public struct Tally: Sendable, Equatable {
        /// How many outage windows the scope is (0: the analysis window).
        public var outageWindows = 0
        /// Runs overlapping the scope, and how many of them carry measured CPU.
        public var runs = 0
        public var measuredRuns = 0
        /// Runs without measured CPU by reason: a `RunCPUNote` raw value, or `noNote`.
        public var unmeasured: [String: Int] = [:]
        /// Run time inside the scope: of all its runs, and of the measured ones.
        public var runSeconds = 0.0
        public var measuredRunSeconds = 0.0
        /// CPU-seconds measured inside the scope (prorated), with the bounds the poll brackets allow.
        public var cpuSeconds = 0.0
        public var cpuSecondsMin = 0.0
        public var cpuSecondsMax = 0.0
        /// The measured runs taken whole: their CPU and their duration.
        public var wholeCPUSeconds = 0.0
        public var wholeRunSeconds = 0.0
        /// While the measured runs were in progress, the CPU their processes spent outside the job threads
        /// (`OffThreadCPU`): inside the scope (prorated), and over the runs taken whole. Nil where no sample says.
        public var offThreadCPUSeconds: Double?
        public var wholeOffThreadCPUSeconds: Double?
        /// The CPU-seconds the sampled hosts spent over the scope (nil: no host sample with CPU and a CPU count),
        /// and how many hosts that is.
        public var hostCPUSeconds: Double?
        public var hosts = 0

        public init(outageWindows: Int = 0) { self.outageWindows = outageWindows }

        public var unmeasuredRuns: Int { runs - measuredRuns }
        /// Cores a measured run kept busy while it ran (1 = a whole core).
        public var cpuPerRunSecond: Double? { wholeRunSeconds > 0 ? wholeCPUSeconds / wholeRunSeconds : nil }
        public var cpuSecondsPerRun: Double? { measuredRuns > 0 ? wholeCPUSeconds / Double(measuredRuns) : nil }
        /// Cores its processes kept busy outside their job threads while a measured run was in progress.
        public var offThreadPerRunSecond: Double? {
            wholeOffThreadCPUSeconds.flatMap { wholeRunSeconds > 0 ? $0 / wholeRunSeconds : nil }
        }
        /// The share of the host's CPU-seconds over the scope that the class's measured runs used.
        public var hostShare: Double? { hostCPUSeconds.flatMap { $0 > 0 ? cpuSeconds / $0 : nil } }
        /// The share of its run time in the scope that was measured.
        public var coverage: Double? { runSeconds > 0 ? measuredRunSeconds / runSeconds : nil }

        mutating func add(_ run: IncidentDataset.Run, cpu: RunCPU?, inside: Double, offThread: Double? = nil) -> Double {
            runs += 1
            runSeconds += inside
            guard let cpu else {
                unmeasured[run.cpuNote?.rawValue ?? MeasuredCPU.noNote, default: 0] += 1
                return 0
            }
            let fraction = run.duration > 0 ? min(1, inside / run.duration) : 1
            measuredRuns += 1
            measuredRunSeconds += inside
            cpuSeconds += cpu.seconds * fraction
            cpuSecondsMin += cpu.minSeconds * fraction
            cpuSecondsMax += cpu.maxSeconds * fraction
            wholeCPUSeconds += cpu.seconds
            wholeRunSeconds += run.duration
            if let offThread {
                offThreadCPUSeconds = (offThreadCPUSeconds ?? 0) + offThread * fraction
                wholeOffThreadCPUSeconds = (wholeOffThreadCPUSeconds ?? 0) + offThread
            }
            return cpu.seconds * fraction
        }
    }

    /// One class: over the window, over the outage windows, and what one running instance takes of the host.
    public struct ClassCPU: Sendable, Equatable {
        public var window: Tally
        /// Nil when the analysis found no outage window.
        public var outage: Tally?
        /// Percentage points of the whole host one running instance takes, measured: CPU per run-second over the
        /// window ÷ cores × 100. Nil without measured run time or a CPU count.
        public var cpuPP: Double?
        /// Whether `cpuPP` is the CPU part of the score: measured runs cover `scoringCoverage` of its run time,
        /// and their processes spent less than `offThreadLimit` outside the job threads while they ran.
        public var drivesScore = false
        /// Whether the CPU off the job threads while it ran (`Tally.offThreadPerRunSecond`) reached `offThreadLimit`.
        public var offThreadBusy: Bool { (window.offThreadPerRunSecond ?? 0) >= MeasuredCPU.offThreadLimit }
        /// Whether `cpuPP` and the joint attribution's estimate disagree (`disagree`); nil when either is missing.
        public var attributionDisagrees: Bool?

        /// The scope a sentence leads with: the outage windows when the class ran in them, else the window.
        public var headline: Tally { outage.flatMap { $0.runs > 0 ? $0 : nil } ?? window }
    }

    /// The job-thread CPU of one Sidekiq process over a scope, against its measured runs.
    public struct ProcessCPU: Sendable, Equatable {
        public var identity: String
        /// Σ of its samples' job-thread CPU over the scope (prorated at the edges).
        public var jobCPUSeconds: Double
        /// Σ of its measured runs' CPU over the scope (prorated).
        public var measuredRunCPUSeconds: Double
        /// What the job threads used beyond the measured runs: runs too short to be seen, or not measured.
        public var unattributedJobCPUSeconds: Double { max(0, jobCPUSeconds - measuredRunCPUSeconds) }
    }

    /// The host and the processes over one scope.
    public struct Scope: Sendable, Equatable {
        public var spans: [ClosedRange<Double>]
        public var isOutage: Bool
        public var hostCPUSeconds: Double?
        /// Seconds of the scope, summed over the hosts, their samples did not cover.
        public var hostUnobservedSeconds = 0.0
        public var hosts = 0
        /// Σ of every measured run's CPU over the scope (prorated).
        public var measuredRunCPUSeconds = 0.0
        /// The processes whose samples carry job-thread CPU, by identity.
        public var processes: [ProcessCPU] = []

        public var seconds: Double { spans.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } }
        public var jobCPUSeconds: Double? { processes.isEmpty ? nil : processes.reduce(0) { $0 + $1.jobCPUSeconds } }
        public var unattributedJobCPUSeconds: Double? {
            processes.isEmpty ? nil : processes.reduce(0) { $0 + $1.unattributedJobCPUSeconds }
        }
    }

    public var cpuCount: Int?
    public var window: Scope
    /// Nil when the analysis found no outage window.
    public var outage: Scope?

    /// The headline scope: the outage windows when there are any, else the window.
    public var headline: Scope { outage ?? window }

    /// Whether a measured CPU and an attribution (both percentage points of the host per running instance)
    /// disagree: apart by more than `disagreementPP` and by more than `disagreementShare` of the larger.
    public static func disagree(measuredPP: Double, attributionPP: Double) -> Bool {
        abs(measuredPP - attributionPP) > max(disagreementPP, disagreementShare * max(measuredPP, attributionPP))
    }

    /// Nil when the dataset holds no measured CPU at all (no run's, no process's job threads'): then nothing
    /// about the analysis changes. `runs` are the window's (sorted by start); `cpuCount` the host's cores.
    public static func measure(_ dataset: IncidentDataset, runs: [IncidentDataset.Run], from: Double, to: Double,
                               outageWindows: [OutageWindow], cpuCount: Int?) -> (MeasuredCPU, [ClassCPU])? {
        guard dataset.hasMeasuredCPU else { return nil }
        let windowSpans = to >= from ? [from...to] : []
        let offThread = OffThreadCPU(dataset.processPoints)
        let (window, windowTallies) = scope(dataset, runs: runs, spans: windowSpans, outageWindows: 0, offThread: offThread)
        var outage: Scope?
        var outageTallies: [Tally]?
        if !outageWindows.isEmpty {
            let spans = outageWindows.map { $0.from...max($0.from, $0.to) }.sorted { $0.lowerBound < $1.lowerBound }
            let measured = scope(dataset, runs: runs, spans: spans, outageWindows: outageWindows.count, offThread: offThread)
            outage = measured.0
            outageTallies = measured.1
        }
        var classes: [ClassCPU] = []
        classes.reserveCapacity(dataset.classes.count)
        for index in dataset.classes.indices {
            var entry = ClassCPU(window: windowTallies[index], outage: outageTallies?[index])
            if let rate = entry.window.cpuPerRunSecond, let cpuCount, cpuCount > 0 {
                entry.cpuPP = rate / Double(cpuCount) * 100
                entry.drivesScore = (entry.window.coverage ?? 0) >= scoringCoverage && !entry.offThreadBusy
            }
            classes.append(entry)
        }
        return (MeasuredCPU(cpuCount: cpuCount, window: window, outage: outage), classes)
    }

    // MARK: - One scope

    static func scope(_ dataset: IncidentDataset, runs: [IncidentDataset.Run], spans: [ClosedRange<Double>],
                      outageWindows: Int, offThread: OffThreadCPU) -> (Scope, [Tally]) {
        var scope = Scope(spans: spans, isOutage: outageWindows > 0)
        var tallies = [Tally](repeating: Tally(outageWindows: outageWindows), count: dataset.classes.count)
        var byIdentity: [Int32: Double] = [:]
        for run in runs {
            guard let inside = Self.inside(run.start, run.end, spans) else { continue }
            let cpu = dataset.cpu(of: run)
            let off = cpu == nil || run.identityIndex < 0
                ? nil : offThread.seconds(identity: run.identityIndex, from: run.start, to: run.end)
            let counted = tallies[Int(run.classIndex)].add(run, cpu: cpu, inside: inside, offThread: off)
            if cpu != nil {
                scope.measuredRunCPUSeconds += counted
                if run.identityIndex >= 0 { byIdentity[run.identityIndex, default: 0] += counted }
            }
        }
        let host = hostCPU(dataset.hostPoints, spans: spans)
        scope.hostCPUSeconds = host.seconds
        scope.hostUnobservedSeconds = host.unobserved
        scope.hosts = host.hosts
        for index in tallies.indices {
            tallies[index].hostCPUSeconds = host.seconds
            tallies[index].hosts = host.hosts
        }
        scope.processes = jobCPU(dataset, spans: spans).map { identity, seconds in
            ProcessCPU(identity: dataset.identities[Int(identity)], jobCPUSeconds: seconds,
                       measuredRunCPUSeconds: byIdentity[identity] ?? 0)
        }.sorted { $0.identity < $1.identity }
        return (scope, tallies)
    }

    /// Seconds of [start, end] inside the spans (sorted, disjoint); nil when it touches none of them. A run of
    /// no duration inside a span is inside, for 0 seconds.
    static func inside(_ start: Double, _ end: Double, _ spans: [ClosedRange<Double>]) -> Double? {
        var index = IncidentAnalyzer.partition(spans.count) { spans[$0].upperBound < start }
        var touched = false
        var seconds = 0.0
        while index < spans.count && spans[index].lowerBound <= end {
            touched = true
            seconds += max(0, min(end, spans[index].upperBound) - max(start, spans[index].lowerBound))
            index += 1
        }
        return touched ? seconds : nil
    }

    /// The CPU-seconds the hosts spent over the spans: per host, one interval per pair of consecutive samples at
    /// the later sample's busy share × its cores (`capacity`'s intervals), clipped to the spans. A host without a
    /// CPU count in its samples is left out rather than assumed to have one core.
    static func hostCPU(_ points: [IncidentDataset.HostPoint], spans: [ClosedRange<Double>])
        -> (seconds: Double?, unobserved: Double, hosts: Int) {
        let length = spans.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) }
        var total: Double?
        var unobserved = 0.0, hosts = 0
        for (_, hostPoints) in OutageWindowDetector.pointsByHost(points) {
            let set = CapacityAnalyzer(instance: nil).cpuIntervals(hostPoints)
            guard !set.hostCPUsAssumed, set.intervals.contains(where: { $0.demandVCPUs != nil }) else { continue }
            var seconds = 0.0, covered = 0.0
            for interval in set.intervals {
                guard let demand = interval.demandVCPUs, let inside = Self.inside(interval.start, interval.end, spans) else { continue }
                seconds += demand * inside
                covered += inside
            }
            total = (total ?? 0) + seconds
            unobserved += max(0, length - covered)
            hosts += 1
        }
        return (total, unobserved, hosts)
    }

    /// Each process's job-thread CPU over the spans, by identity index (only processes whose samples carry it).
    /// A sample's value covers the time since the process's previous sample and counts in proportion to the part
    /// of that time inside the spans; a first sample with no predecessor counts whole when it lies inside.
    static func jobCPU(_ dataset: IncidentDataset, spans: [ClosedRange<Double>]) -> [(Int32, Double)] {
        var previous: [Int32: Double] = [:]
        var seconds: [Int32: Double] = [:]
        for point in dataset.processPoints {
            let before = previous[point.identityIndex]
            previous[point.identityIndex] = point.t
            guard let used = point.jobCPUSeconds else { continue }
            let start = before ?? point.t
            guard let inside = Self.inside(start, point.t, spans) else { continue }
            let length = point.t - start
            seconds[point.identityIndex, default: 0] += length > 0 ? used * inside / length : used
        }
        return seconds.keys.sorted().map { ($0, seconds[$0]!) }
    }
}
