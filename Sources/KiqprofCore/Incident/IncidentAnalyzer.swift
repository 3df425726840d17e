/// Correlates job runs with host and process resources over a window and ranks the classes as outage
/// suspects. Pure: it takes an `IncidentDataset` and returns an `IncidentAnalysis`, the same every time
/// for the same input. Every pass is a sweep over time-sorted arrays; nothing loops runs × samples.
public struct IncidentAnalyzer {
    public var thresholds: OutageThresholds
    /// Class name → one sentence of context (from the rules); shown, never scored.
    public var contexts: [String: String]
    /// At most this many classes enter the joint regression (those with the most sampled run time).
    public var regressionColumns = 64
    /// Sample intervals (weighted by concurrency) a class needs before it gets a lift or an attribution.
    public var minimumLiftExposure = 1.0
    public var minimumAttributionExposure = 1.0

    public init(thresholds: OutageThresholds = OutageThresholds(), contexts: [String: String] = [:]) {
        self.thresholds = thresholds
        self.contexts = contexts
    }

    public func analyze(_ dataset: IncidentDataset, from: Double, to: Double) -> IncidentAnalysis {
        let classCount = dataset.classes.count
        var profiles = dataset.classes.map { ClassProfile(jobClass: $0) }
        // The store loads only overlapping runs; filter (and copy) only when handed more.
        let overlaps = { (run: IncidentDataset.Run) in run.end >= from && run.start <= to }
        let runs = dataset.runs.allSatisfy(overlaps) ? dataset.runs : dataset.runs.filter(overlaps)

        runStatistics(runs, dataset: dataset, from: from, to: to, into: &profiles)
        let hostPoints = dataset.hostPoints.filter { $0.t >= from && $0.t <= to }
        let hostMemoryMB = Self.median(hostPoints.compactMap(\.memTotalMB))
        // Under a cgroup limit, a run's memory is a share of that limit: it is what runs out first.
        let memoryLimitMB = MemoryOutageSignals.limitMB(dataset.cgroupPoints, from: from, to: to, hostMemoryMB: hostMemoryMB)
        let memoryBudgetMB = memoryLimitMB ?? hostMemoryMB
        hostCorrelation(runs, points: hostPoints, classCount: classCount, into: &profiles)
        processCorrelation(runs, dataset: dataset, from: from, to: to, into: &profiles)
        if let cpuCount = hostPoints.compactMap(\.cpuCount).max(), cpuCount > 0 {
            processAttribution(runs, dataset: dataset, from: from, to: to, cpuCount: cpuCount, into: &profiles)
        }

        let windows = OutageWindowDetector(thresholds: thresholds).detect(dataset, from: from, to: to)
        outagePresence(runs, windows: windows, into: &profiles)
        let oomKills = OOMKillMatcher.findings(dataset, from: from, to: to)
        for finding in oomKills {
            for jobClass in Set(finding.runs.map(\.jobClass)) {
                if let index = dataset.classes.firstIndex(of: jobClass) { profiles[index].inFlightAtOOMKills.append(finding.kill) }
            }
        }

        let cpuCount = hostPoints.compactMap(\.cpuCount).max()
        let measured = MeasuredCPU.measure(dataset, runs: runs, from: from, to: to, outageWindows: windows, cpuCount: cpuCount)
        if let (_, classes) = measured { attachMeasuredCPU(classes, into: &profiles) }

        for index in profiles.indices {
            profiles[index].score = SuspectScore.parts(profiles[index], hostMemoryMB: memoryBudgetMB,
                                                       outageWindowCount: windows.count).score
            profiles[index].context = contexts[profiles[index].jobClass]
        }
        var ranked = profiles.enumerated().filter { profiles[$0.offset].runs > 0 }
        ranked.sort { lhs, rhs in
            (lhs.element.score, rhs.element.busySeconds, rhs.element.jobClass)
                > (rhs.element.score, lhs.element.busySeconds, lhs.element.jobClass)
        }
        var ordered: [ClassProfile] = []
        for (position, entry) in ranked.enumerated() {
            var profile = entry.element
            profile.rank = position + 1
            profile.evidence = EvidenceWriter.sentences(for: profile, outageWindowCount: windows.count, hostMemoryMB: memoryBudgetMB,
                                                        cpuCount: cpuCount, hostSampled: !hostPoints.isEmpty)
            ordered.append(profile)
        }
        let forecasts = EarlyWarningForecaster.forecasts(runs: runs, profiles: profiles, dataset: dataset, hostPoints: hostPoints)
        let top = ranked.prefix(3).filter { $0.element.score > 0 }.map { Int32($0.offset) }
        var analysis = IncidentAnalysis(
            from: from, to: to,
            timeline: IncidentTimeline.build(dataset: dataset, from: from, to: to, outageWindows: windows, topClasses: top),
            thresholds: thresholds)
        analysis.outageWindows = windows
        analysis.oomKills = oomKills
        analysis.profiles = ordered
        analysis.hostSampleCount = hostPoints.count
        analysis.processSampleCount = dataset.processPoints.lazy.filter { $0.t >= from && $0.t <= to }.count
        analysis.runCount = runs.count
        analysis.hostMemoryTotalMB = hostMemoryMB
        analysis.memoryLimitMB = memoryLimitMB
        analysis.cpuCount = cpuCount
        analysis.measuredCPU = measured?.0
        analysis.earlyWarnings = forecasts
        analysis.missing = MissingData.sentences(dataset: dataset, hostPoints: hostPoints, from: from, to: to, runCount: runs.count)
        return analysis
    }

    // MARK: - Runs alone

    private func runStatistics(_ runs: [IncidentDataset.Run], dataset: IncidentDataset, from: Double, to: Double,
                               into profiles: inout [ClassProfile]) {
        var durations = [[Double]](repeating: [], count: profiles.count)
        var starts = [[Double]](repeating: [], count: profiles.count)
        var latestEnd = [Double](repeating: -.infinity, count: profiles.count)
        var activeEnds = [MinimumHeap](repeating: MinimumHeap(), count: profiles.count)
        var totalBusy = 0.0
        for run in runs {
            let c = Int(run.classIndex)
            profiles[c].runs += 1
            if run.failed { profiles[c].failed += 1 }
            if run.lost { profiles[c].lost += 1 }
            if run.isOpen { profiles[c].open += 1 } else { durations[c].append(run.duration) }
            if run.start >= from { starts[c].append(run.start) }
            if run.start < latestEnd[c] { profiles[c].overlaps += 1 }
            latestEnd[c] = max(latestEnd[c], run.end)
            // Peak concurrency: the ends of this class's active runs in a min-heap; runs come by start.
            while let earliest = activeEnds[c].first, earliest <= run.start { activeEnds[c].popMinimum() }
            activeEnds[c].insert(run.end)
            profiles[c].maxConcurrency = max(profiles[c].maxConcurrency, activeEnds[c].count)
            let busy = max(0, min(run.end, to) - max(run.start, from))
            profiles[c].busySeconds += busy
            totalBusy += busy
        }
        for c in profiles.indices where profiles[c].runs > 0 {
            durations[c].sort()
            profiles[c].p50 = Self.percentile(durations[c], 0.50)
            profiles[c].p95 = Self.percentile(durations[c], 0.95)
            profiles[c].max = durations[c].last
            profiles[c].busyShare = totalBusy > 0 ? profiles[c].busySeconds / totalBusy : 0
            profiles[c].periodicity = Periodicity.detect(jobClass: profiles[c].jobClass, starts: starts[c], schedules: dataset.schedules)
            if profiles[c].periodicity == nil { profiles[c].streamRate = Periodicity.streamRate(starts[c]) }
            if durations[c].count >= 4, let quartile = Self.percentile(durations[c], 0.25), quartile > 0 {
                profiles[c].nominalDuration = quartile
            }
            if let period = profiles[c].periodicity?.period, let p95 = profiles[c].p95, period > 0 {
                profiles[c].durationToPeriod = p95 / period
            }
        }
    }

    // MARK: - Host resources

    /// Plain lift (weighted means while running against while not) and the joint attribution (a
    /// non-negative regression of CPU and memory on every class's concurrency, one intercept per host).
    private func hostCorrelation(_ runs: [IncidentDataset.Run], points: [IncidentDataset.HostPoint], classCount: Int,
                                 into profiles: inout [ClassProfile]) {
        guard !points.isEmpty, classCount > 0 else { return }
        let groups = OutageWindowDetector.pointsByHost(points)
        let singleHost = groups.count == 1
        func runsFor(_ host: Int32) -> [IncidentDataset.Run] { singleHost ? runs : runs.filter { $0.hostIndex == host } }

        var cpu = LiftAccumulator(classCount: classCount), memory = LiftAccumulator(classCount: classCount)
        for (host, hostPoints) in groups {
            ConcurrencySweep.sweep(times: hostPoints.map(\.t), runs: runsFor(host), classCount: classCount) { index, row in
                if let value = hostPoints[index].cpuBusyPct { cpu.add(value, row: row) }
                if let value = hostPoints[index].memUsedMB { memory.add(value, row: row) }
            }
        }
        for c in 0..<classCount {
            profiles[c].cpuSampleExposure = cpu.exposure[c]
            profiles[c].memSampleExposure = memory.exposure[c]
            if let (running, lift) = cpu.lift(of: c, minimumWeight: minimumLiftExposure) {
                profiles[c].cpuLiftPP = lift
                profiles[c].hostCPUWhileRunningPct = running
            }
            if let (running, lift) = memory.lift(of: c, minimumWeight: minimumLiftExposure) {
                profiles[c].memLiftMB = lift
                profiles[c].hostMemWhileRunningMB = running
            }
        }

        // Joint attribution over the classes with enough sampled run time.
        let columns = (0..<classCount)
            .filter { max(profiles[$0].cpuSampleExposure, profiles[$0].memSampleExposure) >= minimumAttributionExposure }
            .sorted { (max(profiles[$0].cpuSampleExposure, profiles[$0].memSampleExposure), profiles[$1].jobClass)
                > (max(profiles[$1].cpuSampleExposure, profiles[$1].memSampleExposure), profiles[$0].jobClass) }
            .prefix(regressionColumns)
        guard !columns.isEmpty else { return }
        let layout = RegressorLayout(classes: Array(columns), classCount: classCount) { profiles[$0].maxConcurrency > 1 }
        let blockLength = Self.bootstrapBlockLength(from: points.first!.t, to: points.last!.t)
        let origin = points.first!.t
        var design = AttributionDesign(size: layout.size, separable: columns.count)
        var rowColumns: [Int] = [], rowValues: [Double] = []
        for (host, hostPoints) in groups {
            let hostRuns = runsFor(host)
            let weights = hostRuns.map { Self.workWeight($0, nominal: profiles[Int($0.classIndex)].nominalDuration) }
            ConcurrencySweep.sweep(times: hostPoints.map(\.t), runs: hostRuns, classCount: classCount, weights: weights) { index, row in
                layout.fill(row, columns: &rowColumns, values: &rowValues)
                let point = hostPoints[index]
                design.add(host: host, block: Self.block(point.t, origin: origin, length: blockLength), continues: row.continues,
                           cpu: point.cpuBusyPct, memory: point.memUsedMB, columns: rowColumns, values: rowValues)
            }
        }
        let names = columns.map { profiles[$0].jobClass }
        if design.observations(.cpu) > 0 {
            let cpu = design.fit(.cpu).attribution
            for (position, c) in columns.enumerated() where profiles[c].cpuSampleExposure >= minimumAttributionExposure {
                let effect = cpu.effects[cpu.effectOf[position]]
                profiles[c].cpuAttribPP = Self.wholeHost(effect.value)
                profiles[c].cpuAttribLowPP = effect.low.map(Self.wholeHost)
                profiles[c].cpuAttribHighPP = effect.high.map(Self.wholeHost)
                profiles[c].attribJointWith = effect.members.filter { $0 != position }.map { names[$0] }
            }
        }
        if design.observations(.memory) > 0 {
            let mem = design.fit(.memory).attribution
            for (position, c) in columns.enumerated() where profiles[c].memSampleExposure >= minimumAttributionExposure {
                let effect = mem.effects[mem.effectOf[position]]
                profiles[c].memAttribMB = effect.value
                profiles[c].memAttribLowMB = effect.low
                profiles[c].memAttribHighMB = effect.high
                for member in effect.members where member != position && !profiles[c].attribJointWith.contains(names[member]) {
                    profiles[c].attribJointWith.append(names[member])
                }
            }
        }
    }

    /// How much of a run counts as work: a run up to its class's nominal duration counts in full; a longer
    /// one counts as the nominal amount of work spread over its length (weight nominal / duration). The
    /// regressor is then the class's work rate, not its concurrency: a run slowed down by a hog (sharing
    /// its process's GVL, or a saturated host) does the same work in more time, so its stretch does not
    /// look like load, and the hog keeps the credit.
    static func workWeight(_ run: IncidentDataset.Run, nominal: Double?) -> Double {
        guard let nominal, nominal > 0 else { return 1 }
        let duration = run.latestEnd - run.start
        return duration > nominal ? nominal / duration : 1
    }

    /// One run cannot add more than the whole host's CPU; a fit on few piled-up runs can say so.
    static func wholeHost(_ pp: Double) -> Double {
        min(100, pp)
    }

    /// Bootstrap blocks: about 60 over the window, and at least a minute each so a block holds whole runs.
    static func bootstrapBlockLength(from: Double, to: Double) -> Double {
        max(60, (to - from) / 60)
    }

    /// The bootstrap block a sample at `t` falls in.
    static func block(_ t: Double, origin: Double, length: Double) -> Int32 {
        Int32(((t - origin) / length).rounded(.down))
    }

    // MARK: - The process that ran it

    /// The CPU of the very process running the class, and its RSS growth across each run.
    private func processCorrelation(_ runs: [IncidentDataset.Run], dataset: IncidentDataset, from: Double, to: Double,
                                    into profiles: inout [ClassProfile]) {
        guard !dataset.processPoints.isEmpty else { return }
        let classCount = profiles.count
        var pointsByIdentity: [Int32: [IncidentDataset.ProcessPoint]] = [:]
        for point in dataset.processPoints { pointsByIdentity[point.identityIndex, default: []].append(point) }
        var runsByIdentity: [Int32: [IncidentDataset.Run]] = [:]
        for run in runs where run.identityIndex >= 0 { runsByIdentity[run.identityIndex, default: []].append(run) }

        var weight = [Double](repeating: 0, count: classCount), weighted = [Double](repeating: 0, count: classCount)
        var idleWeight = [Double](repeating: 0, count: classCount), idleWeighted = [Double](repeating: 0, count: classCount)
        var growth = [[Double]](repeating: [], count: classCount)
        for identity in runsByIdentity.keys.sorted() {
            guard let points = pointsByIdentity[identity], !points.isEmpty else { continue }
            let identityRuns = runsByIdentity[identity]!
            let classesHere = Set(identityRuns.map(\.classIndex))
            let cpuPoints = points.filter { $0.cpuPct != nil && $0.t >= from && $0.t <= to }
            ConcurrencySweep.sweep(times: cpuPoints.map(\.t), runs: identityRuns, classCount: classCount) { index, row in
                let cpu = cpuPoints[index].cpuPct!
                var present = Set<Int32>()
                for (k, c) in row.classes.enumerated() {
                    let w = min(1, row.concurrency[k])
                    weight[Int(c)] += w
                    weighted[Int(c)] += w * cpu
                    idleWeight[Int(c)] += 1 - w
                    idleWeighted[Int(c)] += (1 - w) * cpu
                    present.insert(c)
                }
                for c in classesHere where !present.contains(c) {
                    idleWeight[Int(c)] += 1
                    idleWeighted[Int(c)] += cpu
                }
            }
            let rssPoints = points.filter { $0.rssMB != nil }
            let times = rssPoints.map(\.t)
            for run in identityRuns where !run.isOpen {
                // The last sample at or before the start, and the first at or after the end.
                let before = Self.lastIndex(atOrBefore: run.start, in: times)
                let after = Self.firstIndex(atOrAfter: run.end, in: times)
                guard let before, let after, after > before else { continue }
                growth[Int(run.classIndex)].append(rssPoints[after].rssMB! - rssPoints[before].rssMB!)
            }
        }
        for c in 0..<classCount {
            if weight[c] >= minimumLiftExposure {
                profiles[c].processCPUPct = weighted[c] / weight[c]
                if idleWeight[c] > 0 { profiles[c].processCPULiftPP = weighted[c] / weight[c] - idleWeighted[c] / idleWeight[c] }
            }
            if !growth[c].isEmpty {
                growth[c].sort()
                profiles[c].rssGrowthMB = Self.percentile(growth[c], 0.5)
                profiles[c].rssGrowthMaxMB = growth[c].last
                profiles[c].rssGrowthRuns = growth[c].count
            }
        }
    }

    /// The joint attribution of the recorder's per-process CPU to the classes each process ran: the same
    /// fit as the host's, on each process's own samples (one intercept per process), in percentage points
    /// of the host. Only the classes running in the same process compete for it, so a busy neighbour
    /// process cannot lend a class its CPU.
    private func processAttribution(_ runs: [IncidentDataset.Run], dataset: IncidentDataset, from: Double, to: Double, cpuCount: Int,
                                    into profiles: inout [ClassProfile]) {
        let classCount = profiles.count
        var pointsByIdentity: [Int32: [IncidentDataset.ProcessPoint]] = [:]
        for point in dataset.processPoints where point.cpuPct != nil && point.t >= from && point.t <= to {
            pointsByIdentity[point.identityIndex, default: []].append(point)
        }
        guard !pointsByIdentity.isEmpty else { return }
        var runsByIdentity: [Int32: [IncidentDataset.Run]] = [:]
        for run in runs where run.identityIndex >= 0 && pointsByIdentity[run.identityIndex] != nil {
            runsByIdentity[run.identityIndex, default: []].append(run)
        }
        let identities = runsByIdentity.keys.sorted()
        func sweep(_ body: (Int32, IncidentDataset.ProcessPoint, ConcurrencySweep.Row) -> Void) {
            for identity in identities {
                let points = pointsByIdentity[identity]!, identityRuns = runsByIdentity[identity]!
                let weights = identityRuns.map { Self.workWeight($0, nominal: profiles[Int($0.classIndex)].nominalDuration) }
                ConcurrencySweep.sweep(times: points.map(\.t), runs: identityRuns, classCount: classCount, weights: weights) { index, row in
                    body(identity, points[index], row)
                }
            }
        }
        var exposure = [Double](repeating: 0, count: classCount)
        sweep { _, _, row in for (k, c) in row.classes.enumerated() { exposure[Int(c)] += row.concurrency[k] } }
        let columns = (0..<classCount).filter { exposure[$0] >= minimumAttributionExposure }
            .sorted { (exposure[$0], profiles[$1].jobClass) > (exposure[$1], profiles[$0].jobClass) }
            .prefix(regressionColumns)
        guard !columns.isEmpty else { return }
        let layout = RegressorLayout(classes: Array(columns), classCount: classCount) { profiles[$0].maxConcurrency > 1 }
        let origin = from, blockLength = Self.bootstrapBlockLength(from: from, to: to)
        var design = AttributionDesign(size: layout.size, separable: columns.count)
        var rowColumns: [Int] = [], rowValues: [Double] = []
        sweep { identity, point, row in
            layout.fill(row, columns: &rowColumns, values: &rowValues)
            design.add(host: identity, block: Self.block(point.t, origin: origin, length: blockLength), continues: row.continues,
                       cpu: point.cpuPct! / Double(cpuCount), memory: nil, columns: rowColumns, values: rowValues)
        }
        let cpu = design.fit(.cpu).attribution
        for (position, c) in columns.enumerated() {
            let effect = cpu.effects[cpu.effectOf[position]]
            guard effect.members.count == 1 else { continue }
            // The process's own CPU is the sharper evidence: it becomes the attribution, the host's the cross-check.
            profiles[c].hostCPUAttribPP = profiles[c].cpuAttribPP
            profiles[c].cpuAttribPP = Self.wholeHost(effect.value)
            profiles[c].cpuAttribLowPP = effect.low.map(Self.wholeHost)
            profiles[c].cpuAttribHighPP = effect.high.map(Self.wholeHost)
            profiles[c].cpuAttribFromProcess = true
        }
    }

    // MARK: - Measured CPU

    /// Gives each class its measured CPU, and checks the measurement against the joint attribution where the
    /// class has both (a joint effect is not the class's own, so it is not compared).
    private func attachMeasuredCPU(_ classes: [MeasuredCPU.ClassCPU], into profiles: inout [ClassProfile]) {
        for index in profiles.indices {
            var entry = classes[index]
            if let measured = entry.cpuPP, let attribution = profiles[index].cpuAttribPP, profiles[index].attribJointWith.isEmpty {
                entry.attributionDisagrees = MeasuredCPU.disagree(measuredPP: measured, attributionPP: attribution)
            }
            profiles[index].measuredCPU = entry
        }
    }

    // MARK: - Outage windows

    private func outagePresence(_ runs: [IncidentDataset.Run], windows: [OutageWindow], into profiles: inout [ClassProfile]) {
        guard !windows.isEmpty else { return }
        let lead = thresholds.leadTime
        var seen = Set<Int64>()
        var onset = Set<Int64>()
        var before = Set<Int64>()
        for run in runs {
            // Windows are sorted and disjoint: find the first that ends after this run starts.
            var index = Self.partition(windows.count) { windows[$0].to < run.start }
            while index < windows.count && windows[index].from - lead <= run.end {
                let window = windows[index]
                let key = Int64(run.classIndex) << 32 | Int64(index)
                seen.insert(key)
                if run.start <= window.from && run.end >= window.from { onset.insert(key) }
                if run.start < window.from && run.start >= window.from - lead { before.insert(key) }
                index += 1
            }
        }
        for key in seen { profiles[Int(key >> 32)].inOutageWindows += 1 }
        for key in onset { profiles[Int(key >> 32)].runningAtOnset += 1 }
        for key in before { profiles[Int(key >> 32)].startedBeforeOnset += 1 }
    }

    // MARK: - Helpers

    static func percentile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    static func median(_ values: [Double]) -> Double? {
        percentile(values.sorted(), 0.5)
    }

    /// The first index in 0..<count for which `isBefore` is false, given that it holds for a prefix only.
    static func partition(_ count: Int, isBefore: (Int) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(middle) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func lastIndex(atOrBefore t: Double, in times: [Double]) -> Int? {
        let index = partition(times.count) { times[$0] <= t }
        return index > 0 ? index - 1 : nil
    }

    static func firstIndex(atOrAfter t: Double, in times: [Double]) -> Int? {
        let index = partition(times.count) { times[$0] < t }
        return index < times.count ? index : nil
    }
}
