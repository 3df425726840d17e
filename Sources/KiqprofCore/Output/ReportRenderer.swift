/// Renders `kiqprof report` as text, Markdown (pastes into a GitHub or GitLab issue) or JSON. The HTML form
/// is `ReportHTMLRenderer`. Every string that came from Redis or a log is escaped for its format.
public enum ReportRenderer {
    // MARK: - JSON

    public static func json(_ model: ReportModel) -> JSONValue {
        .object([
            ("generated_at", .time(model.generatedAt)),
            ("app_version", .text(model.appVersion)),
            ("incident", IncidentRenderer.json(model.analysis)),
            ("classes", .array(model.analysis.profiles.map(classJSON))),
            ("periodic", .array(periodicRows(model).map(periodicJSON))),
            ("queue_peaks", .array(model.queuePeaks.map { peak in
                .object([("queue", .string(peak.queue)), ("peak_latency_s", .number(peak.peakLatency)), ("at", .time(peak.at)),
                         ("size_at_peak", .int(peak.sizeAtPeak))])
            })),
            ("sets", model.setGrowth.map { growth in
                .object([("from", .time(growth.from)), ("to", .time(growth.to)),
                         ("retry", .object([("first", .int(growth.retry.first)), ("last", .int(growth.retry.last)), ("peak",
                             .int(growth.retry.peak))])),
                         ("dead", .object([("first", .int(growth.dead.first)), ("last", .int(growth.dead.last)), ("peak",
                             .int(growth.dead.peak))])),
                         ("processed", .int64(growth.processed)), ("failed", .int64(growth.failed))])
            } ?? .null),
            ("recommendations", .array(model.recommendations.map(RecommendationRenderer.json))),
        ])
    }

    static func classJSON(_ profile: ClassProfile) -> JSONValue {
        .object([
            ("rank", .int(profile.rank)), ("class", .string(profile.jobClass)), ("runs", .int(profile.runs)), ("failed",
                .int(profile.failed)),
            ("p50_s", .number(profile.p50)), ("p95_s", .number(profile.p95)), ("max_s", .number(profile.max)),
            ("busy_share", .number(profile.busyShare, places: 4)), ("cpu_lift_pp", .number(profile.cpuLiftPP, places: 2)),
            ("mem_lift_mb", .number(profile.memLiftMB, places: 1)), ("cpu_attrib_pp", .number(profile.cpuAttribPP, places: 2)),
            ("mem_attrib_mb", .number(profile.memAttribMB, places: 1)), ("score", .number(profile.score, places: 2)),
            ("runs_cpu_measured", .int(profile.measuredCPU?.window.measuredRuns)),
            ("cpu_s", .number(profile.measuredCPU.flatMap { $0.window.measuredRuns > 0 ? $0.window.cpuSeconds : nil }, places: 2)),
            ("cpu_s_per_run", .number(profile.measuredCPU?.window.cpuSecondsPerRun, places: 2)),
            ("cpu_per_run_s", .number(profile.measuredCPU?.window.cpuPerRunSecond, places: 3)),
            ("cpu_host_share_pct", .number(profile.measuredCPU.flatMap { $0.window.measuredRuns > 0 ? $0.window.hostShare : nil }
                .map { $0 * 100 }, places: 1)),
        ])
    }

    // MARK: - Measured CPU per class

    /// The headers of the measured-CPU table: the outage windows' share only where there are outage windows.
    public static func measuredCPUHeaders(_ analysis: IncidentAnalysis) -> [String] {
        ["class", "runs measured", "CPU-s", "CPU-s per run", "CPU per run-second", "share of host CPU"]
            + (analysis.measuredCPU?.outage != nil ? ["share in outage windows"] : []) + ["without measurement (why)"]
    }

    /// One row per class over the window: runs measured, CPU-seconds (runs at the window's edges in proportion),
    /// per run, per run-second, the share of the host's CPU-seconds, and why the other runs were not measured.
    public static func measuredCPUCells(_ profile: ClassProfile, analysis: IncidentAnalysis, sanitize: (String) -> String) -> [String] {
        guard let measured = profile.measuredCPU else { return [] }
        let tally = measured.window
        let some = tally.measuredRuns > 0
        let share = { (tally: MeasuredCPU.Tally?) -> String in
            guard let tally, tally.measuredRuns > 0, let share = tally.hostShare else { return "-" }
            return NumberText.percent(share) + " %"
        }
        var cells = [sanitize(profile.jobClass), "\(tally.measuredRuns) of \(tally.runs)",
                     some ? NumberText.compact(tally.cpuSeconds) : "-", tally.cpuSecondsPerRun.map(NumberText.compact) ?? "-",
                     tally.cpuPerRunSecond.map { NumberText.fixed($0, places: 2) } ?? "-", share(tally)]
        if analysis.measuredCPU?.outage != nil { cells.append(share(measured.outage)) }
        cells.append(tally.unmeasured.isEmpty ? "-" : EvidenceWriter.reasons(tally.unmeasured))
        return cells
    }

    /// Each process's job-thread CPU that no measured run explains, over the headline scope.
    public static func unattributedSentences(_ analysis: IncidentAnalysis) -> [String] {
        guard let measured = analysis.measuredCPU else { return [] }
        let scope = measured.headline
        let name = EvidenceWriter.scopeName(scope.isOutage ? scope.spans.count : 0)
        return scope.processes.map { process in
            "\(process.identity): \(NumberText.compact(process.unattributedJobCPUSeconds)) CPU-seconds of unattributed job CPU in \(name)"
                + " (its job threads used \(NumberText.compact(process.jobCPUSeconds)), its measured runs"
                + " \(NumberText.compact(process.measuredRunCPUSeconds)))"
        }
    }

    /// A periodic class or schedule: what it is, how its runs compare with its period, and its state.
    public struct PeriodicRow: Sendable, Equatable {
        public var jobClass: String
        public var schedule: String?
        public var source: String
        public var period: Double?
        public var runs: Int
        public var p95: Double?
        public var durationToPeriod: Double?
        public var overlaps: Int
        public var enabled: Bool?
    }

    public static func periodicRows(_ model: ReportModel) -> [PeriodicRow] {
        var rows: [PeriodicRow] = []
        var seen = Set<String>()
        for profile in model.analysis.profiles {
            guard let periodicity = profile.periodicity else { continue }
            rows.append(PeriodicRow(jobClass: profile.jobClass, schedule: periodicity.scheduleName, source: periodicity.source.rawValue,
                                    period: periodicity.period, runs: profile.runs, p95: profile.p95,
                                        durationToPeriod: profile.durationToPeriod,
                                    overlaps: profile.overlaps, enabled: periodicity.enabled))
            if let name = periodicity.scheduleName { seen.insert(name) }
        }
        // Schedules that did not run in the window (disabled, or rare) are listed too.
        for schedule in model.schedules where !seen.contains(schedule.name) {
            rows.append(PeriodicRow(jobClass: schedule.jobClass, schedule: schedule.name, source: schedule.source.rawValue,
                period: schedule.periodSeconds,
                                    runs: 0, p95: nil, durationToPeriod: nil, overlaps: 0, enabled: schedule.enabled))
        }
        return rows
    }

    static func periodicJSON(_ row: PeriodicRow) -> JSONValue {
        .object([
            ("class", .string(row.jobClass)), ("schedule", .text(row.schedule)), ("source", .string(row.source)),
            ("period_s", .number(row.period)), ("runs", .int(row.runs)), ("p95_s", .number(row.p95)),
            ("duration_to_period", .number(row.durationToPeriod)), ("overlaps", .int(row.overlaps)),
            ("enabled", row.enabled.map { .bool($0) } ?? .null),
        ])
    }

    // MARK: - Text

    public static func text(_ model: ReportModel) -> String {
        var out = "kiqprof report, generated \(ISOTimestamp.short(model.generatedAt))\n\n"
        out += summary(model).map { "  " + $0 + "\n" }.joined() + "\n"
        out += IncidentRenderer.text(model.analysis)
        out += "Classes\n"
        var classes = TextTable(headers: ["#", "CLASS", "RUNS", "FAILED", "P50", "P95", "MAX", "BUSY", "CPU LIFT", "MEM LIFT", "CPU ATTR",
            "MEM ATTR"],
                                rightAligned: Set(2...11))
        for profile in model.analysis.profiles.prefix(40) {
            classes.add(classCells(profile, sanitize: { TextTable.sanitize($0) }))
        }
        out += classes.render() + "\n"
        if model.analysis.measuredCPU != nil {
            out += "Measured CPU per class (over the window)\n"
            let headers = measuredCPUHeaders(model.analysis).map { $0.uppercased() }
            var table = TextTable(headers: headers, rightAligned: Set(1..<(headers.count - 1)))
            for profile in model.analysis.profiles.prefix(40) {
                table.add(measuredCPUCells(profile, analysis: model.analysis, sanitize: { TextTable.sanitize($0) }))
            }
            out += table.render() + "\n"
        }
        let periodic = periodicRows(model)
        if !periodic.isEmpty {
            out += "Periodic jobs\n"
            var table = TextTable(headers: ["CLASS", "SCHEDULE", "SOURCE", "PERIOD", "RUNS", "P95/PERIOD", "OVERLAPS", "ENABLED"],
                rightAligned: [3, 4, 5, 6])
            for row in periodic { table.add(periodicCells(row)) }
            out += table.render() + "\n"
        }
        if !model.queuePeaks.isEmpty {
            out += "Queue latency peaks\n"
            var table = TextTable(headers: ["QUEUE", "PEAK LATENCY", "AT", "SIZE"], rightAligned: [1, 3])
            for peak in model.queuePeaks.prefix(10) {
                table.add([peak.queue, DurationExpression.humanize(peak.peakLatency), ISOTimestamp.short(peak.at),
                    peak.sizeAtPeak.map(String.init) ?? "-"])
            }
            out += table.render() + "\n"
        }
        if let sets = setSentence(model.setGrowth) { out += "Retry and dead\n  \(sets)\n\n" }
        out += RecommendationRenderer.text(Recommender.Result(recommendations: model.recommendations,
                                                              nothingStandsOut: model.recommendations.isEmpty ? "Recommendations: nothing"
                                                                  + " stands out." : nil))
        return out
    }

    public static func summary(_ model: ReportModel) -> [String] {
        let analysis = model.analysis
        var lines = ["Window \(ISOTimestamp.short(analysis.from)) →"
            + " \(ISOTimestamp.short(analysis.to)) (\(DurationExpression.humanize(analysis.to - analysis.from)), UTC)"]
        lines.append("\(analysis.runCount) job runs of \(analysis.profiles.count) classes; \(analysis.hostSampleCount) host samples;"
            + " \(analysis.outageWindows.count) outage window\(analysis.outageWindows.count == 1 ? "" : "s")")
        if let top = analysis.suspects.first {
            lines.append("Top suspect: \(TextTable.sanitize(top.jobClass)) (score \(NumberText.compact(top.score))):"
                + " \(top.evidence.first ?? "")")
        } else {
            lines.append("No class stands out as a suspect.")
        }
        if let version = model.appVersion { lines.append("App version: \(version)") }
        return lines
    }

    static func classCells(_ profile: ClassProfile, sanitize: (String) -> String) -> [String] {
        let d = { (value: Double?) in value.map(DurationExpression.humanize) ?? "-" }
        let signed = { (value: Double?, unit: String) in value.map { NumberText.signed($0) + unit } ?? "-" }
        return [String(profile.rank), sanitize(profile.jobClass), String(profile.runs), String(profile.failed), d(profile.p50),
            d(profile.p95), d(profile.max),
                NumberText.percent(profile.busyShare) + " %", signed(profile.cpuLiftPP, " pp"), signed(profile.memLiftMB, " MB"),
                signed(profile.cpuAttribPP, " pp"), signed(profile.memAttribMB, " MB")]
    }

    static func periodicCells(_ row: PeriodicRow, sanitize: (String) -> String = { TextTable.sanitize($0) }) -> [String] {
        [sanitize(row.jobClass), row.schedule.map(sanitize) ?? "-", row.source, row.period.map(DurationExpression.humanize) ?? "-",
            String(row.runs),
         row.durationToPeriod.map { NumberText.percent($0) + " %" } ?? "-", String(row.overlaps),
         row.enabled.map { $0 ? "yes" : "DISABLED" } ?? "-"]
    }

    public static func setSentence(_ growth: ReportModel.SetGrowth?) -> String? {
        guard let growth else { return nil }
        var text = "retry \(growth.retry.first) → \(growth.retry.last) (peak \(growth.retry.peak)), dead \(growth.dead.first) →"
            + " \(growth.dead.last) (peak \(growth.dead.peak))"
        if let processed = growth.processed,
            let failed = growth.failed { text += "; \(processed) processed, \(failed) failed in the window" }
        return text
    }

    // MARK: - Markdown

    public static func markdown(_ model: ReportModel) -> String {
        let e = MarkdownText.escape
        let analysis = model.analysis
        var out = "## kiqprof report: \(ISOTimestamp.short(analysis.from)) → \(ISOTimestamp.short(analysis.to))\n\n"
        out += summary(model).map { "- " + e($0) + "\n" }.joined() + "\n"
        out += "### Outage windows\n\n"
        if analysis.outageWindows.isEmpty { out += "None found.\n\n" }
        for (index, window) in analysis.outageWindows.enumerated() {
            out += "\(index + 1). **\(ISOTimestamp.short(window.from)) → \(ISOTimestamp.short(window.to))**"
                + " (\(DurationExpression.humanize(window.duration))): "
            out += window.signals.map(e).joined(separator: "; ") + "\n"
        }
        out += "\n### Suspects\n\n"
        for profile in analysis.profiles.prefix(10) {
            out += "\(profile.rank). **\(e(profile.jobClass))** (score \(NumberText.compact(profile.score)))\n"
            for sentence in profile.evidence { out += "   - \(e(sentence))\n" }
        }
        if !analysis.earlyWarnings.isEmpty {
            out += "\n### Early warnings\n\n" + analysis.earlyWarnings.map { "- \(e($0.message))\n" }.joined()
        }
        out += "\n### Classes\n\n"
        out += table(["#", "class", "runs", "failed", "p50", "p95", "max", "busy", "CPU lift", "mem lift", "CPU attrib", "mem attrib"],
                     analysis.profiles.prefix(40).map { classCells($0, sanitize: e) }, rightFrom: 2)
        if analysis.measuredCPU != nil {
            out += "\n### Measured CPU per class (over the window)\n\n"
            out += table(measuredCPUHeaders(analysis), analysis.profiles.prefix(40).map { measuredCPUCells($0, analysis: analysis,
                sanitize: e) }, rightFrom: 1)
            let sentences = unattributedSentences(analysis)
            if !sentences.isEmpty { out += "\n" + sentences.map { "- \(e($0))\n" }.joined() }
        }
        let periodic = periodicRows(model)
        if !periodic.isEmpty {
            out += "\n### Periodic jobs\n\n"
            out += table(["class", "schedule", "source", "period", "runs", "p95/period", "overlaps", "enabled"],
                periodic.map { periodicCells($0, sanitize: e) }, rightFrom: 3)
        }
        if !model.queuePeaks.isEmpty {
            out += "\n### Queue latency peaks\n\n"
            out += table(["queue", "peak latency", "at", "size"], model.queuePeaks.prefix(10).map {
                [e($0.queue), DurationExpression.humanize($0.peakLatency), ISOTimestamp.short($0.at), $0.sizeAtPeak.map(String.init) ?? "-"]
            }, rightFrom: 1)
        }
        if let sets = setSentence(model.setGrowth) { out += "\n### Retry and dead\n\n\(sets)\n" }
        out += "\n### Recommendations\n\n"
        if model.recommendations.isEmpty { out += "Nothing stands out.\n" }
        for (index, recommendation) in model.recommendations.enumerated() {
            out += "\(index + 1). **\(e(recommendation.action))** · \(recommendation.jobClass.map(e) ?? "all Sidekiq processes")"
            if let schedule = recommendation.schedule { out += " (schedule \(e(schedule)))" }
            out += ": \(e(recommendation.impact))\n"
            for step in recommendation.steps { out += "   - \(e(step))\n" }
            if let sideEffect = recommendation.sideEffect { out += "   - *Side effect:* \(e(sideEffect))\n" }
            out += "   - *Evidence:* " + recommendation.evidence.map(e).joined(separator: "; ") + "\n"
        }
        if !analysis.missing.isEmpty {
            out += "\n### Missing data\n\n" + analysis.missing.map { "- \(e($0))\n" }.joined()
        }
        return out
    }

    private static func table(_ headers: [String], _ rows: [[String]], rightFrom: Int) -> String {
        var out = "| " + headers.joined(separator: " | ") + " |\n|"
        for index in headers.indices { out += index >= rightFrom ? " ---: |" : " --- |" }
        out += "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }
}
