/// Judges a `CheckInput` against thresholds: pure, so tests feed it fixtures and generated histories.
public struct HealthCheck: Sendable {
    /// Overrides of the default thresholds (`--warn NAME=V`, `--crit NAME=V`).
    public var warn: [CheckKind: Double] = [:]
    public var crit: [CheckKind: Double] = [:]
    public var skipped: Set<CheckKind> = []
    /// Host samples older than this are not judged: the recorder is down, which `store_age` says.
    public var hostSampleMaxAge = 300.0
    /// A busy job is compared with its class's p95 only when the class has this many closed runs.
    public var minimumRunsForP95 = 5
    /// CPU busy percent that counts as saturated.
    public var cpuSaturatedPct = 90.0

    public init() {}

    public func evaluate(_ input: CheckInput) -> CheckResult {
        var result = CheckResult(now: input.now)
        result.failures = input.failures
        if let status = input.status { sidekiqChecks(status, input: input, into: &result) }
        if let store = input.store { storeChecks(store, now: input.now, into: &result) }
        result.items.removeAll { skipped.contains($0.kind) }
        return result
    }

    func thresholds(_ kind: CheckKind) -> (warn: Double?, crit: Double?) {
        (warn[kind] ?? kind.defaultWarn, crit[kind] ?? kind.defaultCrit)
    }

    /// An item judged against its thresholds; `detail` says what the value is about.
    func item(_ kind: CheckKind, _ value: Double, _ detail: String, warn: Double? = nil, crit: Double? = nil) -> CheckResult.Item {
        let defaults = thresholds(kind)
        let w = self.warn[kind] ?? warn ?? defaults.warn, c = self.crit[kind] ?? crit ?? defaults.crit
        let state: CheckState = kind.reaches(value, c) ? .critical : kind.reaches(value, w) ? .warning : .ok
        return CheckResult.Item(kind: kind, state: state, value: value, warn: w, crit: c, message: detail)
    }

    // MARK: Sidekiq, from Redis

    func sidekiqChecks(_ status: SidekiqStatus, input: CheckInput, into result: inout CheckResult) {
        let now = input.now
        let live = status.processes.filter { $0.state == .live }
        if live.isEmpty {
            let (w, c) = thresholds(.heartbeatAge)
            result.items.append(.init(kind: .heartbeatAge, state: .critical, value: nil, warn: w, crit: c,
                                      message: "no live Sidekiq process in Redis"))
        } else {
            let oldest = live.max { ($0.beatAge(now: now) ?? .infinity) < ($1.beatAge(now: now) ?? .infinity) }!
            let age = oldest.beatAge(now: now) ?? .infinity
            result.items.append(item(.heartbeatAge, age.isFinite ? age : 1e9,
                                     "oldest heartbeat \(DurationExpression.humanize(age)) ago (\(oldest.identity))"))
        }

        // A process that stopped beating while it held jobs: those jobs are lost or stuck.
        let busyByIdentity = Dictionary(grouping: status.busy, by: \.identity)
        let stranded = status.processes.filter { process in
            let holds = (process.busy ?? 0) > 0 || !(busyByIdentity[process.identity] ?? []).isEmpty
            return holds && (process.state == .gone || process.isStale(now: now))
        }
        result.items.append(item(.goneBusy, Double(stranded.count), stranded.isEmpty
            ? "no stale or vanished process holds busy jobs"
            : "\(stranded.count) stale or vanished process\(stranded.count == 1 ? "" : "es") with busy jobs: "
                + stranded.prefix(3).map(\.identity).joined(separator: ", ")))

        let worstQueue = status.queues.max { ($0.latency ?? 0) < ($1.latency ?? 0) }
        let latency = worstQueue?.latency ?? 0
        result.items.append(item(.queueLatency, latency, worstQueue.map {
            "queue \($0.name): oldest job waits \(DurationExpression.humanize(latency)) (\($0.size) queued)"
        } ?? "no queues"))

        busyJobChecks(status, input: input, into: &result)
    }

    /// Slow and piled-up jobs: a busy job against its class's p95, a periodic job outliving its period,
    /// several runs of one periodic class at once.
    func busyJobChecks(_ status: SidekiqStatus, input: CheckInput, into result: inout CheckResult) {
        let now = input.now
        let durations = input.store?.durations ?? [:]
        var worstSlow: (ratio: Double, job: BusyJob, p95: Double)?
        var p95s: [String: Double] = [:]
        for (jobClass, runs) in durations where runs.count >= minimumRunsForP95 { p95s[jobClass] = Self.percentile(runs, 0.95) }
        for job in status.busy {
            guard let p95 = p95s[job.jobClass] else { continue }
            // Jobs shorter than a heartbeat are invisible to polling anyway; a second of p95 is the floor.
            let ratio = job.elapsed(now: now) / max(p95, 1)
            if ratio > (worstSlow?.ratio ?? -1) { worstSlow = (ratio, job, p95) }
        }
        if let worstSlow {
            result.items.append(item(.slowJob, worstSlow.ratio, "\(worstSlow.job.jobClass) (jid \(worstSlow.job.jid ?? "?")) running "
                + "\(DurationExpression.humanize(worstSlow.job.elapsed(now: now))), p95 \(DurationExpression.humanize(worstSlow.p95))"))
        }

        let schedules = Self.periodicClasses(status.schedules.isEmpty ? input.store?.schedules ?? [] : status.schedules)
        guard !schedules.isEmpty else { return }
        var late: (ratio: Double, job: BusyJob, period: Double)?
        var crowd: (count: Int, jobClass: String)?
        let busyByClass = Dictionary(grouping: status.busy, by: \.jobClass)
        for (jobClass, period) in schedules.sorted(by: { $0.key < $1.key }) {
            let running = busyByClass[jobClass] ?? []
            for job in running {
                let ratio = job.elapsed(now: now) / period
                if ratio > (late?.ratio ?? -1) { late = (ratio, job, period) }
            }
            if running.count > (crowd?.count ?? -1) { crowd = (running.count, jobClass) }
            if let runs = durations[jobClass],
               let warning = EarlyWarningForecaster.periodicGrowth(jobClass: jobClass, period: period, durations: runs) {
                result.earlyWarnings.append(warning)
            }
        }
        if let late {
            result.items.append(item(.periodicLate, late.ratio, "\(late.job.jobClass) running "
                + "\(DurationExpression.humanize(late.job.elapsed(now: now))) of its \(DurationExpression.humanize(late.period)) period"))
        } else {
            result.items.append(item(.periodicLate, 0, "no periodic job running"))
        }
        if let crowd, crowd.count > 0 {
            result.items.append(item(.periodicOverlap, Double(crowd.count), "\(crowd.jobClass): \(crowd.count) run"
                + "\(crowd.count == 1 ? "" : "s") at once"))
        } else {
            result.items.append(item(.periodicOverlap, 0, "no periodic job running"))
        }
        let growth = result.earlyWarnings.filter { $0.kind == .periodicOverlap }.min { ($0.runsLeft ?? 0) < ($1.runsLeft ?? 0) }
        if let growth, let runs = growth.runsLeft {
            result.items.append(item(.periodicGrowth, Double(runs), growth.message))
        }
    }

    /// Enabled schedules with a readable period, by class (the shortest period when a class has several).
    static func periodicClasses(_ schedules: [PeriodicSchedule]) -> [String: Double] {
        var periods: [String: Double] = [:]
        for schedule in schedules where schedule.enabled {
            guard let period = schedule.periodSeconds, period > 0 else { continue }
            periods[schedule.jobClass] = min(periods[schedule.jobClass] ?? .infinity, period)
        }
        return periods
    }

    // MARK: The store: the recorder, the host, set growth

    func storeChecks(_ store: CheckInput.StoreFacts, now: Double, into result: inout CheckResult) {
        if let newest = store.newestSample {
            // The recorder writes every 5 s by default, so three intervals are at least 15 s.
            let interval = max(store.recorderInterval ?? 5, 5)
            result.items.append(item(.storeAge, max(0, now - newest),
                                     "newest recorded sample \(DurationExpression.humanize(max(0, now - newest))) old "
                                        + "(recorder interval \(DurationExpression.humanize(store.recorderInterval ?? 1)))",
                                     warn: 3 * interval, crit: max(60, 20 * interval)))
        } else {
            result.notes.append("the store holds no recorded samples: run `kiqprof record` for the recorder and host checks")
        }

        if let newest = store.setsNewest, let then = store.setsHourAgo, newest.t - then.t >= 300 {
            let hours = (newest.t - then.t) / 3600
            let span = DurationExpression.humanize(newest.t - then.t)
            result.items.append(item(.retryGrowth, Double(newest.retry - then.retry) / hours,
                                     "retry set \(then.retry) → \(newest.retry) in \(span)"))
            result.items.append(item(.deadGrowth, Double(newest.dead - then.dead) / hours,
                                     "dead set \(then.dead) → \(newest.dead) in \(span)"))
        }

        guard let sample = store.hostSamples.last else { return }
        guard now - sample.t <= hostSampleMaxAge else {
            result.notes.append("the newest host sample is \(DurationExpression.humanize(now - sample.t)) old: host checks skipped")
            return
        }
        let host = sample.host
        if let total = sample.memTotalKiB, let available = sample.memAvailableKiB, total > 0 {
            let pct = Double(available) / Double(total) * 100
            result.items.append(item(.memAvailable, pct, "\(host): MemAvailable \(available / 1024) MB of \(total / 1024) MB"))
        }
        if let total = sample.swapTotalKiB, let free = sample.swapFreeKiB, total > 0 {
            let pct = Double(total - free) / Double(total) * 100
            result.items.append(item(.swapUsed, pct, "\(host): swap used \((total - free) / 1024) MB of \(total / 1024) MB"))
        }
        if let psi = sample.psiMemoryFullAvg10 {
            result.items.append(item(.psiMemory, psi, "\(host): memory pressure full avg10 \(NumberText.compact(psi))"))
        }
        if let psi = sample.psiCPUSomeAvg10 {
            result.items.append(item(.psiCPU, psi, "\(host): CPU pressure some avg10 \(NumberText.compact(psi))"))
        }
        if sample.cpuBusyPct != nil {
            var streakStart: Double?
            for point in store.hostSamples.reversed() {
                guard let busy = point.cpuBusyPct, busy >= cpuSaturatedPct else { break }
                streakStart = point.t
            }
            let seconds = streakStart.map { sample.t - $0 } ?? 0
            result.items.append(item(.cpuSaturated, seconds, streakStart == nil
                ? "\(host): CPU busy \(NumberText.compact(sample.cpuBusyPct ?? 0)) %"
                : "\(host): CPU busy ≥ \(NumberText.compact(cpuSaturatedPct)) % for \(DurationExpression.humanize(seconds))"))
        }
        let memory = store.hostSamples.compactMap { point -> (t: Double, availableMB: Double)? in
            point.memAvailableKiB.map { (point.t, Double($0) / 1024) }
        }
        if let warning = EarlyWarningForecaster.memoryExhaustion(host: host, samples: memory) {
            result.earlyWarnings.append(warning)
            result.items.append(item(.memExhaustion, warning.secondsLeft, warning.message))
        }
    }

    /// The nearest-rank percentile of unsorted values.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }
}
