/// The advice `capacity` gives, each item with its arithmetic: Sidekiq's threads and processes for the memory,
/// `DB_POOL`, the allocator, a periodic restart, the instance type, and what disabling the top suspect's
/// schedule would have changed, from its measured cost.
struct CapacityAdvisor {
    var analyzer: CapacityAnalyzer

    func advice(_ result: CapacityAnalysis, dataset: IncidentDataset, incident: IncidentAnalysis,
                intervals: [CreditSimulator.Interval], points: [IncidentDataset.HostPoint]) -> [CapacityAnalysis.Advice] {
        var advice: [CapacityAnalysis.Advice] = []
        let threads = concurrency(result)
        if let threads { advice.append(threads.advice) }
        if let threads, let pool = dbPool(result, threads: threads.perProcess, processes: threads.processes) { advice.append(pool) }
        if let allocator = allocator(result) { advice.append(allocator) }
        if let restart = restart(result) { advice.append(restart) }
        if let type = instanceType(result) { advice.append(type) }
        if let disable = disableSchedule(result, dataset: dataset, incident: incident, intervals: intervals, points: points) {
            advice.append(disable)
        }
        return advice
    }

    private func mb(_ value: Double) -> String { "\(NumberText.compact(value)) MB" }
    static func held(_ seconds: Double) -> String { seconds > 0 ? DurationExpression.humanize(seconds) : "never" }
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    // MARK: Threads and processes

    struct Threads {
        var advice: CapacityAnalysis.Advice
        var perProcess: Int
        var processes: Int
    }

    func concurrency(_ result: CapacityAnalysis) -> Threads? {
        guard let budget = result.budget else { return nil }
        let current = result.settings?.concurrency?.value ?? result.processes.compactMap(\.concurrency).max()
        let currentText = current.map { " (now \($0) per process)" } ?? ""
        let arithmetic = SettingsLint.budgetSentence(budget)
        let left = "left: \(mb(budget.sidekiqMB)) − \(budget.processes) × \(mb(budget.baseRSSMB))"
            + (budget.heaviest.map { " − \(mb($0.costMB))" } ?? "") + " = \(mb(budget.leftForTypicalRunsMB))"
        guard let fit = budget.runsAtOnce else {
            return Threads(advice: CapacityAnalysis.Advice(
                kind: "concurrency", setting: nil,
                verdict: "memory does not bound Sidekiq's threads: no class's run costs a measurable MB\(currentText)",
                arithmetic: [arithmetic], values: [("sidekiq_budget_mb", budget.sidekiqMB)]),
                perProcess: current ?? 5, processes: budget.processes)
        }
        guard fit >= 1 else {
            let heaviest = budget.heaviest.map { " one \($0.jobClass) run (\(mb($0.costMB))) on top of" } ?? ""
            return Threads(advice: CapacityAnalysis.Advice(
                kind: "concurrency", setting: "sidekiq -c 1",
                verdict: "even\(heaviest) \(budget.processes) idle process\(budget.processes == 1 ? "" : "es") does not fit with "
                    + "\(NumberText.percent(budget.headroomFraction)) % kept free: a larger instance, or disable the class",
                arithmetic: [arithmetic, left + ": nothing left for a run"],
                values: [("sidekiq_budget_mb", budget.sidekiqMB), ("runs_at_once", Double(fit))]),
                perProcess: 1, processes: 1)
        }
        // A second process only pays when each keeps 5 threads; beyond one per vCPU it gains nothing (the GVL).
        let vCPUs = analyzer.instance?.vCPUs ?? result.cpu?.hostCPUs ?? 1
        let processes = fit >= 10 ? max(1, min(vCPUs, fit / 5)) : 1
        let perProcess = min(25, max(1, fit / processes))
        let setting = "sidekiq -c \(perProcess)" + (processes > 1 ? " in each of \(processes) processes" : "")
        return Threads(advice: CapacityAnalysis.Advice(
            kind: "concurrency", setting: setting,
            verdict: "\(fit) runs fit in memory at once: \(processes) process\(processes == 1 ? "" : "es") × \(perProcess) "
                + "thread\(perProcess == 1 ? "" : "s")\(currentText)",
            arithmetic: [arithmetic, left + " ÷ \(mb(budget.typicalRunMB)) = "
                + Self.count(fit - (budget.heaviest == nil ? 0 : 1), "typical run")
                + (budget.heaviest == nil ? "" : " + the heaviest one") + " → \(fit) runs at once",
                "processes: one per vCPU at most (\(vCPUs)), and a second only when each keeps ≥ 5 threads; threads: \(fit) ÷ "
                + "\(processes), at most 25"],
            values: [("sidekiq_budget_mb", budget.sidekiqMB), ("runs_at_once", Double(fit)), ("processes", Double(processes)),
                     ("concurrency", Double(perProcess))]),
            perProcess: perProcess, processes: processes)
    }

    func dbPool(_ result: CapacityAnalysis, threads: Int, processes: Int) -> CapacityAnalysis.Advice? {
        let now = result.settings?.dbPool.map { " (now \($0.value), \($0.origin))" } ?? ""
        return CapacityAnalysis.Advice(
            kind: "db_pool", setting: "DB_POOL=\(threads)",
            verdict: "one database connection per thread\(now)",
            arithmetic: ["\(Self.count(threads, "thread")) need\(threads == 1 ? "s" : "") \(Self.count(threads, "connection")); "
                            + "fewer make threads wait and fail after 5 s",
                         "\(processes) process\(processes == 1 ? "" : "es") × \(threads) = \(processes * threads) of PostgreSQL's "
                            + "default max_connections 100, beside Puma's"],
            values: [("db_pool", Double(threads)), ("connections", Double(processes * threads))])
    }

    // MARK: Growth

    private func growthSentence(_ process: ProcessMemoryGrowth) -> String {
        var text = "\(process.identity): \(mb(process.firstRSSMB)) → \(mb(process.lastRSSMB)) over "
            + "\(DurationExpression.humanize(process.lastAt - process.firstAt)) (\(NumberText.signed(process.growthMB)) MB"
        if let perRun = process.growthPerRunMB { text += ", \(NumberText.signedFine(perRun)) MB per run over \(process.runs) runs" }
        // Per hour only from an hour of samples: minutes after a start would read as thousands of MB/h.
        if let perHour = process.growthPerHourMB, process.hours >= 1 { text += ", \(NumberText.signed(perHour)) MB/h" }
        return text + "; largest fall \(mb(process.largestDropMB)))"
    }

    func allocator(_ result: CapacityAnalysis) -> CapacityAnalysis.Advice? {
        let growing = result.processes.filter(\.isGrowing)
        guard !growing.isEmpty else { return nil }
        let arenas = result.settings?.mallocArenaMax, jemalloc = result.settings?.jemalloc?.value == true
        let setting: String?, verdict: String
        if jemalloc {
            setting = nil
            verdict = "RSS grows run over run although jemalloc is preloaded: the growth is the jobs' own (see the restart)"
        } else if let arenas, arenas.value <= 2 {
            setting = "LD_PRELOAD=libjemalloc.so"
            verdict = "RSS grows run over run with MALLOC_ARENA_MAX=\(arenas.value) already set: try jemalloc"
        } else {
            setting = "MALLOC_ARENA_MAX=2"
            verdict = "RSS grows run over run: cap glibc's arenas (or preload jemalloc: LD_PRELOAD=libjemalloc.so)"
        }
        return CapacityAnalysis.Advice(
            kind: "allocator", setting: setting, verdict: verdict,
            arithmetic: growing.map(growthSentence) + ["glibc gives a threaded process up to 8 arenas per core, each fragmenting "
                + "on its own; growth counts when ≥ 32 MB and ≥ 10 % of where the process started"]
                + (growing.allSatisfy { $0.hours < 1 } ? ["measured over less than an hour: warm-up after a start counts as growth "
                    + "here; a day of `record` tells it from bloat"] : []),
            values: [("growing_processes", Double(growing.count)), ("largest_growth_mb", growing.map(\.growthMB).max())])
    }

    func restart(_ result: CapacityAnalysis) -> CapacityAnalysis.Advice? {
        guard !result.processes.isEmpty else { return nil }
        let only = result.processes.filter(\.onlyGrows)
        guard let fastest = only.max(by: { ($0.growthPerHourMB ?? 0) < ($1.growthPerHourMB ?? 0) }),
              let rate = fastest.growthPerHourMB, rate > 0 else { return noRestart(result) }
        let memory = result.budget?.sidekiqMB ?? (result.memory?.budgetMB ?? 0) * (1 - analyzer.headroom)
        let share = memory / Double(max(1, result.processes.count))
        let fillHours = max(0, share - fastest.minimumRSSMB) / rate
        var arithmetic = [growthSentence(fastest), "its share: \(mb(memory)) for Sidekiq ÷ \(max(1, result.processes.count)) = "
            + "\(mb(share)); from \(mb(fastest.minimumRSSMB)) at \(NumberText.compact(rate)) MB/h it is full in "
            + "\(DurationExpression.humanize(fillHours * 3600)); restart at half that, in whole hours and at most a day"]
        if fastest.lastAt - fastest.firstAt < 3600 {
            arithmetic.append("extrapolated from \(DurationExpression.humanize(fastest.lastAt - fastest.firstAt)) of samples")
        }
        let restartHours = (fillHours / 2).rounded(.down)
        let now = result.settings?.runtimeMaxSeconds.map { " (now RuntimeMaxSec=\(Int($0.value)))" } ?? ""
        guard restartHours >= 1 else {
            return CapacityAnalysis.Advice(
                kind: "periodic_restart", setting: nil,
                verdict: "RSS only grows, too fast for a periodic restart to keep up: lower the threads or disable the class first\(now)",
                arithmetic: arithmetic, values: [("growth_mb_per_h", rate), ("hours_to_full", fillHours)])
        }
        let seconds = Int(min(restartHours, 24) * 3600)
        return CapacityAnalysis.Advice(
            kind: "periodic_restart", setting: "RuntimeMaxSec=\(seconds)",
            verdict: "RSS only ever grows: restart Sidekiq every \(DurationExpression.humanize(Double(seconds))) with "
                + "Restart=always\(now)",
            arithmetic: arithmetic + ["a restart re-rolls Mastodon's random daily crons and re-runs first_in jobs"],
            values: [("growth_mb_per_h", rate), ("hours_to_full", fillHours), ("runtime_max_s", Double(seconds))])
    }

    /// Why no periodic restart is advised: no process grew, or each that grew also gave memory back.
    func noRestart(_ result: CapacityAnalysis) -> CapacityAnalysis.Advice {
        let now = result.settings?.runtimeMaxSeconds.map { " (now RuntimeMaxSec=\(Int($0.value)))" } ?? ""
        let growing = result.processes.filter(\.isGrowing)
        let rule = "a restart is advised when a process only grows: ≥ 32 MB and ≥ 10 %, never falling more than 16 MB "
            + "or 5 % below its peak"
        guard !growing.isEmpty else {
            return CapacityAnalysis.Advice(
                kind: "periodic_restart", setting: nil, verdict: "not needed: no Sidekiq process grew\(now)",
                arithmetic: result.processes.map(growthSentence) + [rule], values: [("growing_processes", 0)])
        }
        return CapacityAnalysis.Advice(
            kind: "periodic_restart", setting: nil,
            verdict: "not needed: RSS grows but also falls back, so Ruby hands memory back and a restart would not "
                + "clear a leak\(now)",
            arithmetic: growing.map(growthSentence) + [rule],
            values: [("growing_processes", Double(growing.count)), ("largest_drop_mb", growing.map(\.largestDropMB).max())])
    }

    // MARK: Instance

    func instanceType(_ result: CapacityAnalysis) -> CapacityAnalysis.Advice? {
        guard let memory = result.memory else { return nil }
        let family = analyzer.instance?.family ?? "t4g"
        let keep = NumberText.percent(1 - analyzer.headroom)
        var arithmetic = ["peak \(mb(memory.peakUsedMB)) must be ≤ \(keep) % of the type's memory; p99 demand "
            + "\(NumberText.compact(result.cpu?.p99DemandVCPUs ?? 0)) vCPU ≤ its vCPUs; its standard-mode balance must stay ≥ "
            + "\(NumberText.percent(analyzer.headroom)) % of its maximum"]
        for fit in result.smallestFits {
            arithmetic.append("\(fit.instance): \(mb(memory.peakUsedMB)) = \(NumberText.percent(fit.peakShareOfMemory)) % of "
                + "\(mb(fit.memoryMB))" + (fit.minimumStandardBalance.map { ", lowest balance \(NumberText.compact($0)) credits" } ?? ""))
        }
        guard let pick = result.smallestFits.first(where: { $0.instance.hasPrefix(family + ".") }) ?? result.smallestFits.first else {
            let verdict = "no listed burstable type held this window with \(NumberText.percent(analyzer.headroom)) % headroom: "
                + "look beyond t3/t3a/t4g (an m or c type)"
            return CapacityAnalysis.Advice(kind: "instance_type", setting: nil, verdict: verdict, arithmetic: arithmetic)
        }
        let window = result.to - result.from
        let span = window < 86400 ? " \(DurationExpression.humanize(window))" : ""
        var verdict = "\(pick.instance) is the smallest \(pick.instance.prefix { $0 != "." }) type that held this\(span) window"
        // A window shorter than a day says little of a daily credit budget: say how long its mean load would last.
        if !span.isEmpty, let cpu = result.cpu, let type = BurstableInstance.named(pick.instance),
           let hours = cpu.hoursFullBalanceLasts(on: type) {
            arithmetic.append("the window's mean demand, \(NumberText.compact(cpu.meanDemandVCPUs)) vCPU, held all day would drain "
                + "\(type.name)'s full \(NumberText.compact(type.maximumCredits)) credits in \(DurationExpression.humanize(hours * 3600))")
        }
        if let current = analyzer.instance {
            let order = BurstableInstance.all.map(\.name)
            let pickIndex = order.firstIndex(of: pick.instance) ?? 0, currentIndex = order.firstIndex(of: current.name) ?? 0
            verdict += current.name == pick.instance ? ": keep \(current.name)"
                : pickIndex < currentIndex ? ": \(current.name) is larger than needed" : ": \(current.name) is too small"
        }
        return CapacityAnalysis.Advice(kind: "instance_type", setting: pick.instance, verdict: verdict, arithmetic: arithmetic,
                                       values: [("peak_used_mb", memory.peakUsedMB), ("memory_mb", pick.memoryMB)])
    }

    // MARK: The top suspect's schedule

    func disableSchedule(_ result: CapacityAnalysis, dataset: IncidentDataset, incident: IncidentAnalysis,
                         intervals: [CreditSimulator.Interval], points: [IncidentDataset.HostPoint]) -> CapacityAnalysis.Advice? {
        guard let top = incident.profiles.first(where: { $0.score > 0 && $0.periodicity != nil }),
              let classIndex = dataset.classes.firstIndex(of: top.jobClass) else { return nil }
        let runs = dataset.runs.filter { Int($0.classIndex) == classIndex }
        let concurrency = Self.concurrency(runs, over: intervals)
        let hostCPUs = Double(result.cpu?.hostCPUs ?? 1)
        let cpuPerRun = (top.cpuAttribPP ?? 0) / 100 * hostCPUs
        let memPerRun = top.memAttribMB ?? 0
        var arithmetic = ["one run adds \(NumberText.compact(cpuPerRun)) vCPU (\(NumberText.compact(top.cpuAttribPP ?? 0)) pp of "
            + "\(Int(hostCPUs)) vCPUs) and \(mb(memPerRun)) (joint attribution); \(top.runs) runs, "
            + "\(DurationExpression.humanize(top.busySeconds)) of run time"]
        var values: [(String, Double?)] = []
        var saved = 0.0
        let without = zip(intervals, concurrency).map { interval, running in
            var copy = interval
            if let demand = interval.demandVCPUs {
                let cut = min(demand, cpuPerRun * running)
                saved += cut * interval.minutes
                copy.demandVCPUs = demand - cut
            }
            return copy
        }
        arithmetic.append("CPU: \(NumberText.compact(saved)) credits (vCPU-minutes) less")
        values.append(("credits_saved", saved))
        if let instance = analyzer.instance, let cpu = result.cpu, let before = cpu.standard, let paid = cpu.unlimited {
            let simulator = CreditSimulator(instance: instance, startBalance: cpu.startBalance)
            let after = simulator.standard(without), afterPaid = simulator.unlimited(without)
            let held = before.throttledSeconds == 0 && after.throttledSeconds == 0 ? "never held to baseline either way"
                : "held to baseline \(Self.held(before.throttledSeconds)) → \(Self.held(after.throttledSeconds))"
            arithmetic.append("standard mode on \(instance.name): lowest balance \(NumberText.compact(before.minimumBalance)) → "
                + "\(NumberText.compact(after.minimumBalance)) credits, \(held)")
            arithmetic.append("unlimited mode: \(NumberText.compact(paid.billableVCPUHours)) → "
                + "\(NumberText.compact(afterPaid.billableVCPUHours)) billable vCPU-hours")
            values += [("standard_minimum_balance_after", after.minimumBalance), ("throttled_s_after", after.throttledSeconds),
                       ("billable_vcpu_hours_after", afterPaid.billableVCPUHours)]
        }
        if let memory = result.memory, memPerRun > 0 {
            var peak = 0.0, index = 0
            for point in points {
                guard let used = point.memUsedMB else { continue }
                while index + 1 < intervals.count && intervals[index].end < point.t { index += 1 }
                let running = index < concurrency.count && intervals.indices.contains(index) && intervals[index].end == point.t
                    ? concurrency[index] : 0
                peak = max(peak, used - memPerRun * running)
            }
            arithmetic.append("memory: peak \(mb(memory.peakUsedMB)) → about \(mb(peak)) (memory a run leaves behind in its "
                + "process is not counted: Ruby keeps it)")
            values.append(("peak_used_mb_after", peak))
        }
        let name = top.periodicity?.scheduleName
        return CapacityAnalysis.Advice(
            kind: "disable_schedule", setting: name.map { "kiqprof toggle disable \($0)" },
            verdict: "disabling \(name.map { "the schedule \($0) of " } ?? "")\(top.jobClass) (rank \(top.rank) in `incident`) "
                + "would have saved its measured cost",
            arithmetic: arithmetic, values: values)
    }

    /// Mean runs of one class in each interval (its expected run time inside the interval over the interval's length).
    static func concurrency(_ runs: [IncidentDataset.Run], over intervals: [CreditSimulator.Interval]) -> [Double] {
        var result = [Double](repeating: 0, count: intervals.count)
        for run in runs {
            var low = 0, high = intervals.count
            while low < high {
                let middle = (low + high) / 2
                if intervals[middle].end <= run.start { low = middle + 1 } else { high = middle }
            }
            var index = low
            while index < intervals.count && intervals[index].start < run.latestEnd {
                let length = intervals[index].end - intervals[index].start
                if length > 0 { result[index] += run.expectedOverlap(intervals[index].start, intervals[index].end) / length }
                index += 1
            }
        }
        return result
    }
}
