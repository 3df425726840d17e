/// Turns the ranked suspects into recommendations: the app's rules (Mastodon's are bundled) where a rule
/// matches the class or its schedule, and generic rules from measurement for any app. Each carries the
/// suspect's evidence, exact steps, the side effect, and an expected impact it is ordered by. Pure.
public struct Recommender {
    public var rules: RuleBook
    public var appVersion: AppVersion?
    /// Schedules as found in Redis (preferred) or the store: which scheduler really holds each one.
    public var schedules: [PeriodicSchedule]
    /// A suspect stands out with at least this score (a run taking 5 % of the host, before the
    /// periodic and outage factors) and at least this share of the top score.
    public var minimumScore = 5.0
    public var minimumShareOfTop = 0.15
    public var maximumSuspects = 5

    public init(rules: RuleBook = .bundled, appVersion: AppVersion? = nil, schedules: [PeriodicSchedule] = []) {
        self.rules = rules
        self.appVersion = appVersion
        self.schedules = schedules
    }

    /// The measured facts about Sidekiq processes that the generic memory rule needs.
    public struct ProcessFacts: Sendable, Equatable {
        public var processes: Int
        public var peakRSSMB: Double
        public var concurrency: Int?

        public init(processes: Int, peakRSSMB: Double, concurrency: Int?) {
            self.processes = processes
            self.peakRSSMB = peakRSSMB
            self.concurrency = concurrency
        }

        public static func measure(_ dataset: IncidentDataset, from: Double, to: Double) -> ProcessFacts? {
            var peak: [Int32: Double] = [:]
            var concurrency: Int?
            for point in dataset.processPoints where point.t >= from && point.t <= to {
                if let rss = point.rssMB { peak[point.identityIndex] = max(peak[point.identityIndex] ?? 0, rss) }
                if let threads = point.concurrency { concurrency = max(concurrency ?? 0, threads) }
            }
            guard !peak.isEmpty else { return nil }
            return ProcessFacts(processes: peak.count, peakRSSMB: peak.values.max() ?? 0, concurrency: concurrency)
        }
    }

    public struct Result: Sendable {
        public var recommendations: [Recommendation]
        /// Set when nothing stood out: a sentence saying so and why.
        public var nothingStandsOut: String?
    }

    public func recommend(_ analysis: IncidentAnalysis, processes: ProcessFacts? = nil) -> Result {
        let top = analysis.profiles.first?.score ?? 0
        let standouts = analysis.profiles
            .filter { $0.score >= minimumScore && $0.score >= minimumShareOfTop * top }
            .prefix(maximumSuspects)
        var order = 0
        var ordered: [(Recommendation, Int)] = []
        func add(_ recommendation: Recommendation) {
            ordered.append((recommendation, order))
            order += 1
        }
        for suspect in standouts {
            let located = schedules.filter { $0.jobClass == suspect.jobClass }.sorted { ($0.enabled ? 0 : 1, $0.name) < ($1.enabled ? 0 : 1,
                $1.name) }.first
            let matching = rules.rules(matchingClass: suspect.jobClass, schedule: located?.name)
            var kinds = Set<String>()
            for rule in matching {
                for action in rule.actions(appVersion: appVersion) {
                    let scheduleName = located?.name ?? rule.schedule
                    var scheduleSwitch: ScheduleSwitch?
                    if action.kind == .disableSchedule, let schedule = located ?? schedules.first(where: { $0.name == rule.schedule }) {
                        scheduleSwitch = schedule.toggle
                    }
                    let steps = action.steps(appVersion: appVersion, scheduleSwitch: scheduleSwitch, scheduleName: scheduleName)
                    guard !steps.isEmpty else { continue }
                    var weight = Self.weight(of: action.kind)
                    if action.kind == .upgrade && action.applicability(appVersion: appVersion) == .versionUnknown { weight = 0.7 }
                    var evidence = Array(suspect.evidence.prefix(4))
                    if let context = rule.context { evidence.append(context) }
                    kinds.insert(action.kind.rawValue)
                    add(Recommendation(
                        jobClass: suspect.jobClass, schedule: scheduleName, action: action.kind.rawValue, steps: steps,
                        sideEffect: Self.sideEffect(action, rule), evidence: evidence,
                        impact: Self.impact(suspect, outageWindows: analysis.outageWindows.count), impactScore: suspect.score * weight,
                        origin: rules.app))
                }
            }
            for generic in genericRecommendations(for: suspect, schedule: located, analysis: analysis,
                ruled: !matching.isEmpty) where !kinds.contains(generic.action) {
                add(generic)
            }
        }
        if let processes, let memory = memoryRecommendation(analysis: analysis, processes: processes) { add(memory) }
        let recommendations = ordered.sorted { ($0.0.impactScore, $1.1) > ($1.0.impactScore, $0.1) }.map(\.0)
        var nothing: String?
        if recommendations.isEmpty {
            if let first = analysis.profiles.first {
                nothing = "Nothing stands out: the top class, \(first.jobClass), scores \(NumberText.compact(first.score)) "
                    + "(a suspect needs \(NumberText.compact(minimumScore)): one run taking at least 5 % of the host's CPU or memory, more"
                        + " if periodic or present in outage windows)."
            } else {
                nothing = "Nothing stands out: no job runs in the window."
            }
        }
        return Result(recommendations: recommendations, nothingStandsOut: nothing)
    }

    /// How directly an action removes the measured cost (1 stops it; lower ones soften or only hide it).
    static func weight(of kind: RuleAction.Kind) -> Double {
        switch kind {
        case .disableSchedule, .upgrade: return 1.0
        case .env: return 0.8
        case .isolateQueue, .lowerConcurrency: return 0.7
        case .reduceIngest, .tootctl: return 0.5
        case .adminSetting, .periodicRestart: return 0.4
        case .userSetting, .avoid: return 0.3
        case .keep: return 0.1
        }
    }

    static func impact(_ suspect: ClassProfile, outageWindows: Int) -> String {
        let level = suspect.score >= 50 ? "high" : suspect.score >= 15 ? "medium" : "low"
        var facts: [String] = []
        if let measured = suspect.measuredCPU, measured.drivesScore, let cpu = measured.cpuPP, cpu > 0 {
            // What ranked it: the CPU `record` measured for its runs.
            facts.append("one run takes \(NumberText.compact(cpu)) pp CPU (measured)")
        } else if let cpu = suspect.cpuAttribPP ?? suspect.cpuLiftPP, cpu > 0 {
            facts.append("one run adds \(NumberText.compact(cpu)) pp CPU")
        }
        if let mem = suspect.memAttribMB ?? suspect.memLiftMB, mem > 0 { facts.append("\(NumberText.compact(mem)) MB") }
        if facts.isEmpty { facts.append("\(NumberText.percent(suspect.busyShare)) % of all job run time") }
        var text = "\(level): " + facts.joined(separator: " and ")
        if let period = suspect.periodicity?.period { text += ", every \(DurationExpression.humanize(period))" }
        if outageWindows > 0 { text += "; in \(suspect.inOutageWindows) of \(outageWindows) outage windows" }
        return text
    }

    // MARK: - Generic rules, from measurement

    /// - Parameter ruled: an app rule matched; it knows whether the job may be switched off, so no generic
    ///   disable is added (Mastodon's vacuum must not be disabled, for one).
    private func genericRecommendations(for suspect: ClassProfile, schedule: PeriodicSchedule?, analysis: IncidentAnalysis,
                                        ruled: Bool) -> [Recommendation] {
        var result: [Recommendation] = []
        let evidence = Array(suspect.evidence.prefix(4))
        let impact = Self.impact(suspect, outageWindows: analysis.outageWindows.count)
        let name = suspect.jobClass
        if let schedule, !ruled {
            let scheduleSwitch = schedule.toggle
            result.append(Recommendation(
                jobClass: name, schedule: schedule.name, action: "disable_schedule",
                steps: ["Disable the schedule \(schedule.name) in \(scheduleSwitch.schedulerName):"
                    + " \(scheduleSwitch.webUI(enabled: false)), "
                        + "or `kiqprof toggle disable \(schedule.name) --apply`, which runs `\(scheduleSwitch.disable.shell)`.",
                        "To undo: `kiqprof toggle enable \(schedule.name) --apply` (`\(scheduleSwitch.enable.shell)`)."],
                sideEffect: "\(name) stops running until the schedule is enabled again; whatever it keeps up to date goes stale.",
                evidence: evidence, impact: impact, impactScore: suspect.score * 0.9, origin: "measured"))
        }
        if suspect.periodicity != nil && suspect.overlaps > 0 {
            result.append(Recommendation(
                jobClass: name, schedule: schedule?.name, action: "add_lock",
                steps: ["Let only one run of \(name) go at a time: a uniqueness lock held until the run ends "
                        + "(sidekiq-unique-jobs `sidekiq_options lock: :until_executed`, or Sidekiq Enterprise `sidekiq_options"
                            + " unique_for: <period>`)."],
                sideEffect: "A firing that finds the previous run still going is skipped, so the job runs less often under load.",
                evidence: evidence + ["\(suspect.overlaps) of \(suspect.runs) runs started while the previous one was still running (up to"
                    + " \(suspect.maxConcurrency) at once)"],
                impact: impact, impactScore: suspect.score * 0.8, origin: "measured"))
        }
        let resource = SuspectScore.parts(suspect, hostMemoryMB: analysis.memoryBudgetMB,
            outageWindowCount: analysis.outageWindows.count)
        if resource.resourceBasis != .busyShare && resource.resource >= 0.15 {
            result.append(Recommendation(
                jobClass: name, schedule: schedule?.name, action: "isolate_queue",
                steps: ["Move \(name) to a queue of its own (`sidekiq_options queue: \"heavy\"`, or the schedule's `queue`), "
                        + "and run that queue in one Sidekiq process with one thread (`sidekiq -c 1 -q heavy`), so one run at a time "
                        + "takes the host and the other queues keep their threads."],
                sideEffect: "Runs of \(name) wait for each other; the extra process costs its own baseline memory (a Ruby process, often"
                    + " 150–300 MB).",
                evidence: evidence, impact: impact, impactScore: suspect.score * 0.7, origin: "measured"))
        }
        if let periodicity = suspect.periodicity, let ratio = suspect.durationToPeriod, ratio >= 0.5 || suspect.inOutageWindows > 0 {
            let step: String
            if periodicity.period >= 3600, let quiet = quietestHour(analysis.timeline) {
                step = "Move \(name) to the quietest time seen, around \(quiet.hour) UTC (host CPU \(NumberText.compact(quiet.cpu)) % then)"
                    + (schedule.map { ", by changing the cron of \($0.name)" } ?? "") + "."
            } else {
                step = "Run \(name) less often: every \(DurationExpression.humanize(periodicity.period * 2)) instead of every "
                    + "\(DurationExpression.humanize(periodicity.period))"
                        + (schedule.map { " (change the cron or `every` of \($0.name))" } ?? "")
                    + ", so a run (p95 \(DurationExpression.humanize(suspect.p95 ?? 0))) ends well before the next one starts."
            }
            result.append(Recommendation(
                jobClass: name, schedule: schedule?.name, action: "reschedule", steps: [step],
                sideEffect: "Whatever \(name) computes is refreshed less often, or at another time of day.",
                evidence: evidence, impact: impact, impactScore: suspect.score * 0.6, origin: "measured"))
        }
        return result
    }

    private func quietestHour(_ timeline: IncidentTimeline) -> (hour: String, cpu: Double)? {
        let candidates = timeline.buckets.compactMap { bucket in bucket.cpuMeanPct.map { (bucket.start, $0) } }
        guard candidates.count >= 4, let quiet = candidates.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
        let text = ISOTimestamp.short(quiet.0)
        return (String(text.dropFirst(11).prefix(5)), quiet.1)
    }

    /// Lower concurrency when Sidekiq's processes at their peak RSS approach the host's memory, or the cgroup
    /// limit they run under.
    private func memoryRecommendation(analysis: IncidentAnalysis, processes: ProcessFacts) -> Recommendation? {
        guard let hostMemory = analysis.memoryBudgetMB, hostMemory > 0 else { return nil }
        let whose = analysis.memoryLimitMB == nil ? "the host's" : "the cgroup limit of"
        let total = processes.peakRSSMB * Double(processes.processes)
        let share = total / hostMemory
        let memoryOutage = analysis.outageWindows.contains(where: \.memoryExhausted)
        guard share >= 0.6 || memoryOutage else { return nil }
        let evidence = ["\(processes.processes) Sidekiq process\(processes.processes == 1 ? "" : "es") peaked at"
            + " \(NumberText.compact(processes.peakRSSMB)) MB RSS: "
                        + "\(NumberText.compact(total)) MB, \(NumberText.percent(share)) % of \(whose)"
                            + " \(NumberText.compact(hostMemory)) MB"]
            + (memoryOutage ? ["memory ran out in at least one outage window"] : [])
        if let rule = rules.processRules.first,
            let action = rule.actions(appVersion: appVersion).first(where: { $0.kind == .lowerConcurrency }) {
            return Recommendation(jobClass: nil, schedule: nil, action: "lower_concurrency", steps: action.steps(appVersion: appVersion),
                                  sideEffect: Self.sideEffect(action, rule), evidence: evidence + (rule.context.map { [$0] } ?? []),
                                  impact: "high: memory is the host's limit", impactScore: 100 * share, origin: rules.app)
        }
        let suggested = processes.concurrency.map { max(1, Int(Double($0) * min(1, 0.6 / share))) }
        return Recommendation(
            jobClass: nil, schedule: nil, action: "lower_concurrency",
            steps: ["Lower Sidekiq's threads per process" + (suggested.map { " to about \($0) (from \(processes.concurrency!))" } ?? "")
                    + " with `-c N` or `concurrency:` in sidekiq.yml: Ruby memory grows with the threads that run at once."],
            sideEffect: "Fewer threads drain the queues more slowly; watch queue latency after the change.",
            evidence: evidence, impact: "high: memory is the host's limit", impactScore: 100 * share, origin: "measured")
    }

    /// What acting costs: the action's own caveat, then what the rule says switching the job off costs.
    static func sideEffect(_ action: RuleAction, _ rule: Rule) -> String {
        guard let ruleEffect = rule.sideEffect, !ruleEffect.isEmpty, !action.caveat.contains(ruleEffect) else { return action.caveat }
        return action.caveat.isEmpty ? ruleEffect : "\(action.caveat) \(ruleEffect)"
    }
}
