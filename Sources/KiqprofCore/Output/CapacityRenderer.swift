/// Renders `kiqprof capacity`: the JSON of the README's schema, or short text sections in the style of
/// `incident`, each verdict followed by its numbers.
public enum CapacityRenderer {
    // MARK: Verdicts shared by text and JSON

    public static func standardVerdict(_ outcome: CreditSimulator.Outcome, instance: BurstableInstance) -> String {
        if let empty = outcome.firstEmptyAt {
            return "the balance runs out at \(ISOTimestamp.short(empty)): the CPU is held to its \(vcpu(instance.baselineVCPUs)) "
                + "baseline for \(DurationExpression.humanize(outcome.throttledSeconds)), cutting "
                + "\(NumberText.compact(outcome.demandCutCredits)) vCPU-minutes of demand"
        }
        return "the balance never runs out: lowest \(NumberText.compact(outcome.minimumBalance)) of "
            + "\(NumberText.compact(instance.maximumCredits)) credits"
            + (outcome.minimumAt.map { " at \(ISOTimestamp.short($0))" } ?? "")
    }

    public static func unlimitedVerdict(_ outcome: CreditSimulator.Outcome) -> String {
        guard outcome.surplusSpent > 0 else { return "no surplus credits: the balance covered every burst (0 vCPU-hours billed)" }
        return "bursts on \(NumberText.compact(outcome.surplusSpent)) surplus credits (at most \(NumberText.compact(outcome.peakSurplus)) "
            + "owed at once): \(NumberText.compact(outcome.billableVCPUHours)) vCPU-hours billable "
            + "(\(NumberText.compact(outcome.surplusBilledAtCap)) credits billed at the 24 h cap, "
            + "\(NumberText.compact(outcome.surplusOwedAtEnd)) still owed at the end; AWS bills surplus per vCPU-hour)"
    }

    static func vcpu(_ value: Double) -> String { "\(NumberText.compact(value)) vCPU" }

    /// Two decimals, for a factor whose product is shown beside it (0.46 × 60 = 27.6, where 0.5 would not add up).
    static func hundredths(_ value: Double) -> String { NumberText.fixed(value, places: 2) }

    static func mb(_ value: Double) -> String { "\(NumberText.compact(value)) MB" }

    // MARK: Text

    public static func text(_ analysis: CapacityAnalysis) -> String {
        var out = "Capacity \(ISOTimestamp.short(analysis.from)) → \(ISOTimestamp.short(analysis.to)) "
            + "(\(DurationExpression.humanize(analysis.to - analysis.from)); times in UTC)"
            + (analysis.instance.map { " on \($0.name)" } ?? "") + "\n"
        out += "  host \(analysis.host ?? "(none)"): \(analysis.hostSamples) host samples, \(analysis.processSamples) process samples, "
            + "\(analysis.runs) runs\n"
        if let cpu = analysis.cpu { out += cpuText(cpu, instance: analysis.instance, window: analysis.to - analysis.from) }
        if let memory = analysis.memory { out += memoryText(memory, analysis: analysis) }
        if !analysis.advice.isEmpty {
            out += "\nAdvice\n"
            for (index, item) in analysis.advice.enumerated() {
                out += "  \(index + 1). \(item.kind)" + (item.setting.map { ": \($0)" } ?? "") + "\n"
                out += "     \(item.verdict)\n"
                for line in item.arithmetic { out += "     - \(line)\n" }
            }
        }
        if let settings = analysis.settings {
            out += "\nConfiguration\n"
            out += "  " + settingsLine(settings) + "\n"
            for finding in analysis.lint { out += "  [\(finding.severity)] \(finding.code): \(finding.message)\n" }
            if analysis.lint.isEmpty { out += "  nothing flagged\n" }
        }
        if !analysis.missing.isEmpty {
            out += "\nMissing data\n"
            for sentence in analysis.missing { out += "  - \(sentence)\n" }
        }
        return out
    }

    static func cpuText(_ cpu: CapacityAnalysis.CPU, instance: BurstableInstance?, window: Double) -> String {
        var out = "\nCPU"
        guard let instance, let standard = cpu.standard, let unlimited = cpu.unlimited else {
            return out + "\n  demand \(vcpu(cpu.meanDemandVCPUs)) on average, p99 \(vcpu(cpu.p99DemandVCPUs)) "
                + "(of \(cpu.hostCPUs) vCPUs); name --instance for the credit simulation\n"
        }
        out += " credits (\(instance.name): \(instance.vCPUs) vCPUs, baseline \(NumberText.compact(instance.baselinePctPerVCPU)) % "
            + "per vCPU = \(vcpu(instance.baselineVCPUs)), earns \(NumberText.compact(instance.creditsPerHour)) credits/h, "
            + "holds at most \(NumberText.compact(instance.maximumCredits)))\n"
        out += "  standard mode: \(standardVerdict(standard, instance: instance))\n"
        out += "    - start \(NumberText.compact(cpu.startBalance)) credits (\(cpu.startBalanceSource)), end "
            + "\(NumberText.compact(standard.endBalance)); earned \(NumberText.compact(standard.earned)), demanded "
            + "\(NumberText.compact(standard.demanded))\n"
        out += "  unlimited mode: \(unlimitedVerdict(unlimited))\n"
        let share = cpu.meanDemandVCPUs / Double(instance.vCPUs)
        out += "  demand \(vcpu(cpu.meanDemandVCPUs)) on average (\(NumberText.percent(share)) % of \(instance.vCPUs) vCPUs against a "
            + "\(NumberText.compact(instance.baselinePctPerVCPU)) % baseline), p99 \(vcpu(cpu.p99DemandVCPUs)); "
            + "\(cpu.hoursAboveBaseline) of \(cpu.hours.count) hour\(cpu.hours.count == 1 ? "" : "s") above the baseline"
        if let busiest = cpu.hours.max(by: { $0.meanDemandVCPUs < $1.meanDemandVCPUs }) {
            out += "; busiest hour \(ISOTimestamp.short(busiest.start)) at \(vcpu(busiest.meanDemandVCPUs))"
        }
        out += "\n" + drainText(cpu, instance: instance, window: window) + "\n"
        if cpu.demandBeyondVCPUsCredits > 0 {
            out += "  - \(NumberText.compact(cpu.demandBeyondVCPUsCredits)) vCPU-minutes of demand exceed \(instance.name)'s "
                + "\(instance.vCPUs) vCPUs (the recorded host had \(cpu.hostCPUs)) and could not run there at all\n"
        }
        if cpu.unobservedSeconds > 0 {
            out += "  - \(DurationExpression.humanize(cpu.unobservedSeconds)) without samples: the balance is held there\n"
        }
        if let check = cpu.cloudWatch {
            out += "  cross-check: CloudWatch CPUCreditBalance at \(check.samples) instants differs from the simulation by "
                + "\(NumberText.compact(check.meanAbsoluteDifference)) credits on average (at most "
                + "\(NumberText.compact(check.maximumAbsoluteDifference))); its lowest was \(NumberText.compact(check.observedMinimum))"
                + " at \(ISOTimestamp.short(check.observedMinimumAt))\n"
        } else {
            out += "  cross-check: no CloudWatch CPUCreditBalance in the store (`kiqprof import cloudwatch`)\n"
        }
        return out
    }

    /// The balance's course at the window's mean demand, for a window too short to judge a daily budget.
    static func drainText(_ cpu: CapacityAnalysis.CPU, instance: BurstableInstance, window: Double) -> String {
        let net = cpu.netCreditsPerHour(on: instance)
        let used = min(cpu.meanDemandVCPUs, Double(instance.vCPUs))
        var out = "  at that mean the balance \(net < 0 ? "loses" : "gains") \(NumberText.fixed(abs(net), places: 1)) credits/h "
            + "(\(NumberText.compact(instance.creditsPerHour)) earned − \(hundredths(used)) vCPU × 60 = "
            + "\(NumberText.fixed(used * 60, places: 1)) used)"
        if let hours = cpu.hoursFullBalanceLasts(on: instance) {
            out += ": a full \(NumberText.compact(instance.maximumCredits)) lasts \(DurationExpression.humanize(hours * 3600))"
        } else {
            out += ": it never drains at that demand"
        }
        if window < 86400 {
            out += "; the window is \(DurationExpression.humanize(window)) of a daily budget: a day or more of samples judges it"
        }
        return out
    }

    static func memoryText(_ memory: CapacityAnalysis.Memory, analysis: CapacityAnalysis) -> String {
        var out = "\nMemory"
        if let budget = memory.budgetMB {
            out += " (\(memory.budgetSource): \(mb(budget))"
                + (memory.hostTotalMB.map { $0 != budget ? "; the recorded host had \(mb($0))" : "" } ?? "") + ")"
        }
        out += "\n  peak \(mb(memory.peakUsedMB)) used at \(ISOTimestamp.short(memory.peakAt)), p99 \(mb(memory.p99UsedMB))"
        if let budget = memory.budgetMB {
            out += ": headroom \(mb(budget - memory.peakUsedMB)) (\(NumberText.percent((budget - memory.peakUsedMB) / budget)) %) "
                + "at the peak, \(mb(budget - memory.p99UsedMB)) at p99"
        }
        out += "\n"
        if let outside = memory.outsideSidekiqMB { out += "  outside Sidekiq: \(mb(outside)) (median of host used − Sidekiq RSS)\n" }
        for process in analysis.processes {
            var line = "  - \(process.identity): RSS \(mb(process.firstRSSMB)) → \(mb(process.lastRSSMB)) (peak \(mb(process.peakRSSMB)))"
                + " over \(DurationExpression.humanize(process.lastAt - process.firstAt))"
            if let perRun = process.growthPerRunMB { line += ", \(NumberText.signedFine(perRun)) MB per run (\(process.runs) runs)" }
            line += process.onlyGrows ? "; only grows" : process.isGrowing ? "; grows" : ""
            out += line + "\n"
        }
        if let top = analysis.classCosts.first {
            out += "  largest per-run cost: \(top.jobClass), one run adds \(mb(top.costMB)) (\(top.basis))"
            if let max = top.rssGrowthMaxMB { out += "; its process grew up to \(NumberText.signedFine(max)) MB across a run" }
            out += "\n"
        }
        return out
    }

    static func settingsLine(_ settings: SidekiqSettings) -> String {
        func show<Value: Sendable & Equatable>(_ name: String, _ setting: SidekiqSettings.Setting<Value>?) -> String {
            guard let setting else { return "\(name) unset" }
            return "\(name) \(setting.value) (\(setting.origin))"
        }
        return [show("threads", settings.concurrency), show("DB_POOL", settings.dbPool), show("MAX_THREADS", settings.maxThreads),
                show("MALLOC_ARENA_MAX", settings.mallocArenaMax),
                "jemalloc " + (settings.jemalloc.map { $0.value ? "preloaded (\($0.origin))" : "not preloaded" } ?? "not preloaded"),
                settings.runtimeMaxSeconds.map { "RuntimeMaxSec \(Int($0.value))" } ?? "no RuntimeMaxSec"]
            .joined(separator: "; ")
    }

    // MARK: JSON

    public static func json(_ analysis: CapacityAnalysis) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("window", .object([("from", .time(analysis.from)), ("to", .time(analysis.to)),
                                ("duration_s", .number(analysis.to - analysis.from))])),
            ("instance", analysis.instance.map(instanceJSON) ?? .null),
            ("instance_reason", analysis.instance == nil ? .string("no --instance given") : .null),
            ("host", .text(analysis.host)), ("other_hosts", .strings(analysis.otherHosts)),
            ("data", .object([("runs", .int(analysis.runs)), ("host_samples", .int(analysis.hostSamples)),
                              ("process_samples", .int(analysis.processSamples))])),
        ]
        members.append(("cpu", analysis.cpu.map { cpuJSON($0, instance: analysis.instance) } ?? .null))
        members.append(("cpu_reason", analysis.cpu == nil ? .string("no CPU utilisation in the window's host samples") : .null))
        members.append(("memory", analysis.memory.map(memoryJSON) ?? .null))
        members.append(("memory_reason", analysis.memory == nil ? .string("no memory in the window's host samples") : .null))
        members.append(("processes", .array(analysis.processes.map(processJSON))))
        members.append(("class_costs", .array(analysis.classCosts.map { cost in
            .object([("class", .string(cost.jobClass)), ("runs", .int(cost.runs)), ("cost_mb", .number(cost.costMB, places: 1)),
                     ("basis", .string(cost.basis)), ("mem_attrib_mb", .number(cost.memAttribMB, places: 1)),
                     ("rss_growth_median_mb", .number(cost.rssGrowthMedianMB, places: 1)),
                     ("rss_growth_max_mb", .number(cost.rssGrowthMaxMB, places: 1))])
        })))
        members.append(("budget", analysis.budget.map(budgetJSON) ?? .null))
        members.append(("budget_reason", analysis.budget == nil
            ? .string("needs host memory and Sidekiq process RSS from `kiqprof record`") : .null))
        members.append(("advice", .array(analysis.advice.map { item in
            .object([("kind", .string(item.kind)), ("setting", .text(item.setting)), ("verdict", .string(item.verdict)),
                     ("arithmetic", .strings(item.arithmetic)),
                     ("values", .object(item.values.map { ($0.0, .number($0.1, places: 2)) }))])
        })))
        members.append(("smallest_fits", .array(analysis.smallestFits.map { fit in
            .object([("instance", .string(fit.instance)), ("memory_mb", .number(fit.memoryMB)),
                     ("peak_share_pct", .number(fit.peakShareOfMemory * 100, places: 1)),
                     ("minimum_standard_balance_credits", .number(fit.minimumStandardBalance, places: 1))])
        })))
        members.append(("settings", analysis.settings.map(settingsJSON) ?? .null))
        members.append(("settings_reason", analysis.settings == nil ? .string("no --unit or --env-file given") : .null))
        members.append(("lint", .array(analysis.lint.map { finding in
            .object([("severity", .string(finding.severity)), ("code", .string(finding.code)), ("message", .string(finding.message))])
        })))
        members.append(("missing", .strings(analysis.missing)))
        return .object(members)
    }

    static func instanceJSON(_ instance: BurstableInstance) -> JSONValue {
        .object([("name", .string(instance.name)), ("vcpus", .int(instance.vCPUs)),
                 ("baseline_pct_per_vcpu", .number(instance.baselinePctPerVCPU)), ("baseline_vcpu", .number(instance.baselineVCPUs)),
                 ("credits_per_hour", .number(instance.creditsPerHour)), ("max_credits", .number(instance.maximumCredits)),
                 ("memory_mb", .number(instance.memoryMB))])
    }

    static func cpuJSON(_ cpu: CapacityAnalysis.CPU, instance: BurstableInstance?) -> JSONValue {
        let noInstance: JSONValue = .null
        return .object([
            ("host_cpus", .int(cpu.hostCPUs)), ("host_cpus_assumed", .bool(cpu.hostCPUsAssumed)),
            ("mean_demand_vcpu", .number(cpu.meanDemandVCPUs)), ("p99_demand_vcpu", .number(cpu.p99DemandVCPUs)),
            ("demand_beyond_vcpus_credits", .number(cpu.demandBeyondVCPUsCredits, places: 1)),
            ("unobserved_s", .number(cpu.unobservedSeconds)), ("hours_total", .int(cpu.hours.count)),
            ("hours_above_baseline", instance == nil ? .null : .int(cpu.hoursAboveBaseline)),
            ("start_balance_credits", instance == nil ? .null : .number(cpu.startBalance, places: 1)),
            ("start_balance_source", instance == nil ? .null : .string(cpu.startBalanceSource)),
            ("net_credits_per_h_at_mean", instance.map { .number(cpu.netCreditsPerHour(on: $0), places: 1) } ?? .null),
            ("full_balance_lasts_h_at_mean", .number(instance.flatMap { cpu.hoursFullBalanceLasts(on: $0) }, places: 1)),
            ("standard", zip2(cpu.standard, instance).map { standardJSON($0.0, $0.1) } ?? noInstance),
            ("unlimited", cpu.unlimited.map(unlimitedJSON) ?? noInstance),
            ("simulation_reason", instance == nil ? .string("no --instance given") : .null),
            ("cloudwatch_check", cpu.cloudWatch.map { check in
                .object([("samples", .int(check.samples)),
                         ("mean_abs_difference_credits", .number(check.meanAbsoluteDifference, places: 1)),
                         ("max_abs_difference_credits", .number(check.maximumAbsoluteDifference, places: 1)),
                         ("observed_minimum_credits", .number(check.observedMinimum, places: 1)),
                         ("observed_minimum_at", .time(check.observedMinimumAt))])
            } ?? .null),
            ("cloudwatch_check_reason", cpu.cloudWatch == nil
                ? .string(instance == nil ? "no --instance given" : "no CloudWatch CPUCreditBalance in the window") : .null),
            ("hourly", .array(cpu.hours.map { hour in
                .object([("hour", .time(hour.start)), ("mean_demand_vcpu", .number(hour.meanDemandVCPUs)),
                         ("max_demand_vcpu", .number(hour.maxDemandVCPUs)),
                         ("above_baseline", instance.map { .bool(hour.meanDemandVCPUs > $0.baselineVCPUs) } ?? .null),
                         ("standard_balance_credits", .number(hour.standardBalance, places: 1)),
                         ("unlimited_balance_credits", .number(hour.unlimitedBalance, places: 1))])
            })),
        ])
    }

    private static func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    static func standardJSON(_ outcome: CreditSimulator.Outcome, _ instance: BurstableInstance) -> JSONValue {
        .object([
            ("verdict", .string(standardVerdict(outcome, instance: instance))), ("runs_out", .bool(outcome.firstEmptyAt != nil)),
            ("start_balance_credits", .number(outcome.startBalance, places: 1)),
            ("end_balance_credits", .number(outcome.endBalance, places: 1)),
            ("minimum_balance_credits", .number(outcome.minimumBalance, places: 1)), ("minimum_at", .time(outcome.minimumAt)),
            ("first_empty_at", .time(outcome.firstEmptyAt)), ("throttled_s", .number(outcome.throttledSeconds)),
            ("demand_cut_credits", .number(outcome.demandCutCredits, places: 1)),
            ("earned_credits", .number(outcome.earned, places: 1)), ("demanded_credits", .number(outcome.demanded, places: 1)),
        ])
    }

    static func unlimitedJSON(_ outcome: CreditSimulator.Outcome) -> JSONValue {
        .object([
            ("verdict", .string(unlimitedVerdict(outcome))), ("surplus_spent_credits", .number(outcome.surplusSpent, places: 1)),
            ("peak_surplus_credits", .number(outcome.peakSurplus, places: 1)),
            ("surplus_billed_at_cap_credits", .number(outcome.surplusBilledAtCap, places: 1)),
            ("surplus_owed_at_end_credits", .number(outcome.surplusOwedAtEnd, places: 1)),
            ("billable_vcpu_hours", .number(outcome.billableVCPUHours, places: 2)),
            ("end_balance_credits", .number(outcome.endBalance, places: 1)),
        ])
    }

    static func memoryJSON(_ memory: CapacityAnalysis.Memory) -> JSONValue {
        let budget = memory.budgetMB
        return .object([
            ("samples", .int(memory.samples)), ("peak_used_mb", .number(memory.peakUsedMB, places: 1)), ("peak_at", .time(memory.peakAt)),
            ("p99_used_mb", .number(memory.p99UsedMB, places: 1)), ("host_total_mb", .number(memory.hostTotalMB, places: 1)),
            ("budget_mb", .number(budget, places: 1)), ("budget_source", .string(memory.budgetSource)),
            ("headroom_at_peak_mb", .number(budget.map { $0 - memory.peakUsedMB }, places: 1)),
            ("headroom_at_peak_pct", .number(budget.map { ($0 - memory.peakUsedMB) / $0 * 100 }, places: 1)),
            ("headroom_at_p99_mb", .number(budget.map { $0 - memory.p99UsedMB }, places: 1)),
            ("outside_sidekiq_mb", .number(memory.outsideSidekiqMB, places: 1)),
        ])
    }

    static func processJSON(_ process: ProcessMemoryGrowth) -> JSONValue {
        .object([
            ("identity", .string(process.identity)), ("samples", .int(process.samples)), ("first_at", .time(process.firstAt)),
            ("last_at", .time(process.lastAt)), ("first_rss_mb", .number(process.firstRSSMB, places: 1)),
            ("last_rss_mb", .number(process.lastRSSMB, places: 1)), ("min_rss_mb", .number(process.minimumRSSMB, places: 1)),
            ("peak_rss_mb", .number(process.peakRSSMB, places: 1)), ("growth_mb", .number(process.growthMB, places: 1)),
            ("growth_mb_per_h", .number(process.growthPerHourMB, places: 1)),
            ("growth_mb_per_run", .number(process.growthPerRunMB, places: 4)), ("runs", .int(process.runs)),
            ("largest_drop_mb", .number(process.largestDropMB, places: 1)), ("concurrency", .int(process.concurrency)),
            ("growing", .bool(process.isGrowing)), ("only_grows", .bool(process.onlyGrows)),
        ])
    }

    static func budgetJSON(_ budget: CapacityAnalysis.Budget) -> JSONValue {
        .object([
            ("memory_mb", .number(budget.memoryMB, places: 1)), ("headroom_pct", .number(budget.headroomFraction * 100)),
            ("outside_sidekiq_mb", .number(budget.outsideSidekiqMB, places: 1)), ("sidekiq_mb", .number(budget.sidekiqMB, places: 1)),
            ("processes", .int(budget.processes)), ("base_rss_mb", .number(budget.baseRSSMB, places: 1)),
            ("heaviest_class", .text(budget.heaviest?.jobClass)), ("heaviest_mb", .number(budget.heaviest?.costMB, places: 1)),
            ("typical_run_mb", .number(budget.typicalRunMB, places: 1)), ("runs_at_once", .int(budget.runsAtOnce)),
        ])
    }

    static func settingsJSON(_ settings: SidekiqSettings) -> JSONValue {
        func integer(_ setting: SidekiqSettings.Setting<Int>?) -> JSONValue {
            setting.map { .object([("value", .int($0.value)), ("origin", .string($0.origin))]) } ?? .null
        }
        return .object([
            ("concurrency", integer(settings.concurrency)), ("db_pool", integer(settings.dbPool)),
            ("max_threads", integer(settings.maxThreads)), ("malloc_arena_max", integer(settings.mallocArenaMax)),
            ("jemalloc", settings.jemalloc.map { .object([("value", .bool($0.value)), ("origin", .string($0.origin))]) } ?? .null),
            ("runtime_max_s", .number(settings.runtimeMaxSeconds?.value)), ("memory_max_mb", .number(settings.memoryMaxMB?.value)),
        ])
    }
}
