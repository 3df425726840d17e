/// Turns a window's host samples, Sidekiq process samples and the incident analysis into a sizing answer:
/// CPU credits on a burstable instance, memory headroom, and Sidekiq settings, each with its arithmetic.
/// Pure: the same dataset and analysis give the same answer; every pass is linear in the samples.
public struct CapacityAnalyzer {
    public var instance: BurstableInstance?
    /// The credit balance at the window's start; nil: CloudWatch's, else a full balance.
    public var startBalance: Double?
    /// The share of memory (and of the credit balance) kept free in the sizing advice.
    public var headroom = 0.2
    public var settings: SidekiqSettings?

    public init(instance: BurstableInstance?, startBalance: Double? = nil, settings: SidekiqSettings? = nil) {
        self.instance = instance
        self.startBalance = startBalance
        self.settings = settings
    }

    public func analyze(_ dataset: IncidentDataset, incident: IncidentAnalysis) -> CapacityAnalysis {
        let from = incident.from, to = incident.to
        var result = CapacityAnalysis(from: from, to: to)
        result.instance = instance
        result.settings = settings
        result.runs = incident.runCount
        result.processSamples = incident.processSampleCount

        // Capacity is one machine's: the host with the most samples in the window.
        var counts: [Int32: Int] = [:]
        for point in dataset.hostPoints where point.t >= from && point.t <= to { counts[point.hostIndex, default: 0] += 1 }
        let hostIndex = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let host = hostIndex.map { dataset.hosts[Int($0)] }
        result.host = host
        result.otherHosts = counts.keys.filter { $0 != hostIndex }.map { dataset.hosts[Int($0)] }.sorted()
        let points = dataset.hostPoints.filter { $0.t >= from && $0.t <= to && $0.hostIndex == hostIndex }
        result.hostSamples = points.count
        if points.isEmpty {
            result.missing.append("no host samples in the window: no CPU or memory to size against "
                + "(record with `kiqprof record`, or import sar, CloudWatch, Prometheus or CSV)")
        }
        if !result.otherHosts.isEmpty {
            result.missing.append("the store holds other hosts too (\(result.otherHosts.joined(separator: ", "))); "
                + "only \(host ?? "?"), the one with the most samples, is sized")
        }

        let intervalSet = cpuIntervals(points)
        let processes = ProcessMemoryGrowth.measure(dataset, from: from, to: to).filter { growth in
            guard let host else { return true }
            return SidekiqProcess(identity: growth.identity, state: .gone).hostname == host
        }
        result.processes = processes.isEmpty ? ProcessMemoryGrowth.measure(dataset, from: from, to: to) : processes
        if result.processes.isEmpty {
            result.missing.append("no Sidekiq process samples: RSS growth and the memory budget need `kiqprof record` "
                + "(imports carry no process RSS)")
        }
        result.memory = memory(points, dataset: dataset, host: host, from: from, to: to)
        result.classCosts = classCosts(incident)
        result.budget = budget(result)
        if intervalSet.intervals.contains(where: { $0.demandVCPUs != nil }) {
            result.cpu = cpu(intervalSet, dataset: dataset, from: from, to: to)
        } else if !points.isEmpty {
            result.missing.append("no CPU utilisation in the host samples: no credit simulation")
        }
        if instance == nil {
            result.missing.append("no --instance: the credit simulation needs the instance type (t3, t3a or t4g, nano to 2xlarge)")
        }
        if result.cpu?.hostCPUsAssumed == true {
            result.missing.append("the host samples carry no CPU count: utilisation was scaled by "
                + "\(result.cpu?.hostCPUs ?? 0) vCPU\(result.cpu?.hostCPUs == 1 ? "" : "s") (the instance's, else 1)")
        }
        result.smallestFits = smallestFits(result, intervals: intervalSet.intervals)
        result.advice = CapacityAdvisor(analyzer: self).advice(result, dataset: dataset, incident: incident,
                                                               intervals: intervalSet.intervals, points: points)
        if let settings {
            let recorded = result.processes.compactMap(\.concurrency).max()
            result.lint = SettingsLint.lint(settings, processes: max(1, result.processes.count), recordedConcurrency: recorded,
                                            budget: result.budget, memoryMB: result.memory?.budgetMB)
        }
        return result
    }

    // MARK: CPU

    struct IntervalSet {
        var intervals: [CreditSimulator.Interval] = []
        var hostCPUs = 1
        var hostCPUsAssumed = false
        var unobservedSeconds = 0.0
    }

    /// One interval per pair of consecutive samples, carrying the later sample's utilisation (/proc and sar
    /// report the mean since the previous reading). Longer than 5 typical intervals (at least 10 min) is a gap.
    /// Only samples with CPU count: a memory-only or credit-only row of the same host would otherwise hold the balance.
    func cpuIntervals(_ allPoints: [IncidentDataset.HostPoint]) -> IntervalSet {
        var set = IntervalSet()
        let points = allPoints.filter { $0.cpuBusyPct != nil }
        if let count = allPoints.lazy.compactMap(\.cpuCount).max() {
            set.hostCPUs = count
        } else {
            set.hostCPUs = instance?.vCPUs ?? 1
            set.hostCPUsAssumed = true
        }
        guard points.count >= 2 else { return set }
        var steps: [Double] = []
        steps.reserveCapacity(points.count)
        for index in 1..<points.count { steps.append(points[index].t - points[index - 1].t) }
        let typical = Self.percentile(steps.filter { $0 > 0 }, 0.5) ?? 60
        let gap = max(5 * typical, 600)
        set.intervals.reserveCapacity(points.count)
        for index in 1..<points.count {
            let start = points[index - 1].t, end = points[index].t
            guard end > start else { continue }
            var demand = points[index].cpuBusyPct.map { $0 / 100 * Double(set.hostCPUs) }
            if end - start > gap { demand = nil }
            if demand == nil { set.unobservedSeconds += end - start }
            set.intervals.append(CreditSimulator.Interval(start: start, end: end, demandVCPUs: demand))
        }
        return set
    }

    /// Imported CloudWatch `CPUCreditBalance` readings in the window, from any host (an import names the instance
    /// its own way), sorted by time.
    func creditPoints(_ dataset: IncidentDataset, from: Double, to: Double) -> [(t: Double, balance: Double)]? {
        let readings = dataset.hostPoints.compactMap { point in
            point.t >= from && point.t <= to ? point.cpuCreditBalance.map { (t: point.t, balance: $0) } : nil
        }
        return readings.isEmpty ? nil : readings
    }

    /// The balance at the start: as given, else CloudWatch's first reading within 15 minutes of the start, else full.
    func initialBalance(for type: BurstableInstance, credits: [(t: Double, balance: Double)]?, from: Double) -> (Double, String) {
        if let startBalance { return (min(startBalance, type.maximumCredits), "--start-balance") }
        if let first = credits?.first, first.t <= from + 900 {
            return (min(first.balance, type.maximumCredits), "CloudWatch CPUCreditBalance at \(ISOTimestamp.short(first.t))")
        }
        return (type.maximumCredits,
                "assumed full: an instance that ran 24 h at or below its baseline (T3, T3a and T4g get no launch credits)")
    }

    func cpu(_ set: IntervalSet, dataset: IncidentDataset, from: Double, to: Double) -> CapacityAnalysis.CPU {
        var cpu = CapacityAnalysis.CPU()
        cpu.intervals = set.intervals.count
        cpu.hostCPUs = set.hostCPUs
        cpu.hostCPUsAssumed = set.hostCPUsAssumed
        cpu.unobservedSeconds = set.unobservedSeconds
        var weighted = 0.0, observed = 0.0
        var demands: [Double] = []
        demands.reserveCapacity(set.intervals.count)
        for interval in set.intervals {
            guard let demand = interval.demandVCPUs else { continue }
            weighted += demand * (interval.end - interval.start)
            observed += interval.end - interval.start
            demands.append(demand)
            if let instance, demand > Double(instance.vCPUs) {
                cpu.demandBeyondVCPUsCredits += (demand - Double(instance.vCPUs)) * interval.minutes
            }
        }
        cpu.meanDemandVCPUs = observed > 0 ? weighted / observed : 0
        cpu.p99DemandVCPUs = Self.percentile(demands, 0.99) ?? 0
        let credits = creditPoints(dataset, from: from, to: to)
        if let instance {
            let (balance, source) = initialBalance(for: instance, credits: credits, from: from)
            cpu.startBalance = balance
            cpu.startBalanceSource = source
            let simulator = CreditSimulator(instance: instance, startBalance: balance)
            let standard = simulator.standard(set.intervals), unlimited = simulator.unlimited(set.intervals)
            cpu.standard = standard
            cpu.unlimited = unlimited
            if let credits { cpu.cloudWatch = Self.crossCheck(credits, intervals: set.intervals, balances: standard.balances) }
        }
        cpu.hours = hours(set.intervals, standard: cpu.standard?.balances, unlimited: cpu.unlimited?.balances)
        if let instance { cpu.hoursAboveBaseline = cpu.hours.filter { $0.meanDemandVCPUs > instance.baselineVCPUs }.count }
        return cpu
    }

    func hours(_ intervals: [CreditSimulator.Interval], standard: [Double]?, unlimited: [Double]?) -> [CapacityAnalysis.Hour] {
        var hours: [CapacityAnalysis.Hour] = []
        var bucket = -1.0, weighted = 0.0, observed = 0.0
        for (index, interval) in intervals.enumerated() {
            // By its start: a minute ending on the hour belongs to the hour it closes.
            let hour = (interval.start / 3600).rounded(.down) * 3600
            if hour != bucket {
                if observed > 0, var last = hours.last { last.meanDemandVCPUs = weighted / observed; hours[hours.count - 1] = last }
                hours.append(CapacityAnalysis.Hour(start: hour, meanDemandVCPUs: 0, maxDemandVCPUs: 0))
                bucket = hour
                weighted = 0
                observed = 0
            }
            if let demand = interval.demandVCPUs {
                weighted += demand * (interval.end - interval.start)
                observed += interval.end - interval.start
                hours[hours.count - 1].maxDemandVCPUs = max(hours[hours.count - 1].maxDemandVCPUs, demand)
            }
            hours[hours.count - 1].standardBalance = standard?[index]
            hours[hours.count - 1].unlimitedBalance = unlimited?[index]
        }
        if observed > 0, !hours.isEmpty { hours[hours.count - 1].meanDemandVCPUs = weighted / observed }
        return hours
    }

    static func crossCheck(_ credits: [(t: Double, balance: Double)], intervals: [CreditSimulator.Interval],
                           balances: [Double]) -> CapacityAnalysis.CreditCheck? {
        var differences: [Double] = []
        var cursor = 0
        for reading in credits {
            while cursor + 1 < intervals.count && intervals[cursor + 1].end <= reading.t { cursor += 1 }
            guard cursor < intervals.count, intervals[cursor].end <= reading.t + 300 else { continue }
            differences.append(abs(balances[cursor] - reading.balance))
        }
        guard !differences.isEmpty, let lowest = credits.min(by: { $0.balance < $1.balance }) else { return nil }
        return CapacityAnalysis.CreditCheck(
            samples: differences.count, meanAbsoluteDifference: differences.reduce(0, +) / Double(differences.count),
            maximumAbsoluteDifference: differences.max() ?? 0, observedMinimum: lowest.balance, observedMinimumAt: lowest.t)
    }

    // MARK: Memory

    func memory(_ points: [IncidentDataset.HostPoint], dataset: IncidentDataset, host: String?, from: Double,
                to: Double) -> CapacityAnalysis.Memory? {
        var used: [Double] = []
        var memory = CapacityAnalysis.Memory()
        var outside: [Double] = []
        // The newest RSS of each of this host's Sidekiq processes, swept forward with the host samples.
        var latest: [Int32: (t: Double, rss: Double)] = [:]
        var cursor = Self.firstProcessPoint(dataset.processPoints, atOrAfter: from - 600)
        var onHost: [Int32: Bool] = [:]
        for point in points {
            guard let mb = point.memUsedMB else { continue }
            used.append(mb)
            if mb > memory.peakUsedMB || memory.samples == 0 {
                memory.peakUsedMB = mb
                memory.peakAt = point.t
            }
            memory.samples += 1
            while cursor < dataset.processPoints.count && dataset.processPoints[cursor].t <= point.t {
                let process = dataset.processPoints[cursor]
                cursor += 1
                let index = process.identityIndex
                let local: Bool
                if let known = onHost[index] {
                    local = known
                } else {
                    let name = index >= 0 && Int(index) < dataset.identities.count ? dataset.identities[Int(index)] : ""
                    local = host == nil || SidekiqProcess(identity: name, state: .gone).hostname == host
                    onHost[index] = local
                }
                if local, let rss = process.rssMB { latest[index] = (process.t, rss) }
            }
            let sidekiq = latest.values.filter { $0.t >= point.t - 30 }.reduce(0) { $0 + $1.rss }
            if sidekiq > 0 { outside.append(max(0, mb - sidekiq)) }
        }
        guard !used.isEmpty else { return nil }
        memory.p99UsedMB = Self.percentile(used, 0.99) ?? memory.peakUsedMB
        memory.hostTotalMB = Self.percentile(points.compactMap(\.memTotalMB), 0.5)
        if let instance {
            memory.budgetMB = instance.memoryMB
            memory.budgetSource = instance.name
        } else if let total = memory.hostTotalMB {
            memory.budgetMB = total
            memory.budgetSource = "the host's RAM"
        }
        memory.outsideSidekiqMB = Self.percentile(outside, 0.5)
        return memory
    }

    /// Each class's memory cost per run, largest first: the joint attribution where there is one (what one run
    /// adds with the classes beside it accounted for), else the median RSS growth of its process across a run.
    func classCosts(_ incident: IncidentAnalysis) -> [CapacityAnalysis.ClassCost] {
        incident.profiles.compactMap { profile -> CapacityAnalysis.ClassCost? in
            let cost = profile.memAttribMB ?? profile.rssGrowthMB
            guard let cost else { return nil }
            return CapacityAnalysis.ClassCost(
                jobClass: profile.jobClass, runs: profile.runs, memAttribMB: profile.memAttribMB, rssGrowthMedianMB: profile.rssGrowthMB,
                rssGrowthMaxMB: profile.rssGrowthMaxMB, costMB: max(0, cost),
                basis: profile.memAttribMB != nil ? "joint attribution" : "median RSS growth of its process across a run")
        }.sorted { ($0.costMB, $1.jobClass) > ($1.costMB, $0.jobClass) }
    }

    func budget(_ result: CapacityAnalysis) -> CapacityAnalysis.Budget? {
        guard let memory = result.memory, let memoryMB = memory.budgetMB, !result.processes.isEmpty,
              let outside = memory.outsideSidekiqMB else { return nil }
        let costs = result.classCosts
        let runs = costs.reduce(0) { $0 + $1.runs }
        let typical = runs > 0 ? costs.reduce(0) { $0 + $1.costMB * Double($1.runs) } / Double(runs) : 0
        return CapacityAnalysis.Budget(
            memoryMB: memoryMB, headroomFraction: headroom, outsideSidekiqMB: outside, processes: result.processes.count,
            baseRSSMB: result.processes.map(\.minimumRSSMB).max() ?? 0, heaviest: costs.first(where: { $0.costMB >= 1 }),
            typicalRunMB: typical)
    }

    // MARK: Instance types

    /// The smallest type of each family whose memory holds the window's peak with the headroom kept free, whose
    /// vCPUs cover the 99th percentile of demand, and whose balance in standard mode never falls below the headroom.
    func smallestFits(_ result: CapacityAnalysis, intervals: [CreditSimulator.Interval]) -> [CapacityAnalysis.Fit] {
        guard let memory = result.memory else { return [] }
        var fits: [CapacityAnalysis.Fit] = []
        for family in ["t3", "t3a", "t4g"] {
            for type in BurstableInstance.all where type.family == family {
                guard memory.peakUsedMB <= type.memoryMB * (1 - headroom) else { continue }
                var lowest: Double?
                if let cpu = result.cpu {
                    guard cpu.p99DemandVCPUs <= Double(type.vCPUs) else { continue }
                    let (balance, _) = initialBalance(for: type, credits: nil, from: result.from)
                    let outcome = CreditSimulator(instance: type, startBalance: balance).standard(intervals)
                    guard outcome.demandCutCredits == 0, outcome.minimumBalance >= headroom * type.maximumCredits else { continue }
                    lowest = outcome.minimumBalance
                }
                fits.append(CapacityAnalysis.Fit(instance: type.name, memoryMB: type.memoryMB,
                                                 peakShareOfMemory: memory.peakUsedMB / type.memoryMB, minimumStandardBalance: lowest))
                break
            }
        }
        return fits
    }

    static func firstProcessPoint(_ points: [IncidentDataset.ProcessPoint], atOrAfter t: Double) -> Int {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].t < t { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}
