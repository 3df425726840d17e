import Foundation

/// `kiqprof report --format html`: one self-contained page with inline CSS and inline SVG charts, no
/// scripts and no network (a Content-Security-Policy that forbids both), so it can be mailed, attached to
/// an issue or opened offline. Every string from Redis or a log is escaped through `HTMLText`. One pass
/// over the model, linear in its size; the model's charts are already downsampled, the tables keep every
/// class.
public enum ReportHTMLRenderer {
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    /// Suspects shown with their evidence in the ranked list (the table below keeps all classes).
    public static let suspectsShown = 10

    public static func html(_ model: ReportModel) -> String {
        var out = ""
        out.reserveCapacity(256 * 1024)
        let analysis = model.analysis
        let window = "\(ISOTimestamp.short(analysis.from)) → \(ISOTimestamp.short(analysis.to))"
        out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">"
        out += "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>kiqprof report \(window)</title><style>\(style)</style></head><body>\n"
        out += "<header><h1>Sidekiq incident report</h1><p class=\"meta\">\(window) (UTC) · generated"
            + " \(ISOTimestamp.short(model.generatedAt)) by kiqprof \(KiqprofVersion.current)"
        if let version = model.appVersion {
            out += " · app version "
            HTMLText.append(version, to: &out, limit: 80)
        }
        out += "</p></header>\n"

        summary(model, to: &out)
        out += "<section id=\"timeline\"><h2>Timeline</h2>"
        TimelineChartSVG.render(model, to: &out)
        out += "</section>\n"
        outageWindows(analysis, to: &out)
        suspects(analysis, to: &out)
        earlyWarnings(analysis, to: &out)
        out += "<section id=\"durations\"><h2>Run durations</h2>"
        DurationChartSVG.render(analysis.profiles, to: &out)
        out += "</section>\n"
        classTable(analysis, to: &out)
        measuredCPUTable(analysis, to: &out)
        periodicJobs(model, to: &out)
        queuesAndSets(model, to: &out)
        recommendations(model.recommendations, to: &out)
        missing(analysis, to: &out)
        out += "<footer>kiqprof \(KiqprofVersion.current). Times are UTC. CPU lift and attribution are percentage points of the whole"
            + " host; memory is MiB.</footer>\n"
        out += "</body></html>\n"
        return out
    }

    // MARK: Sections

    static func summary(_ model: ReportModel, to out: inout String) {
        let analysis = model.analysis
        out += "<section id=\"summary\"><h2>Summary</h2><ul class=\"summary\">"
        if let top = analysis.suspects.first {
            out += "<li><strong>Most likely cause: #1 <span class=\"class\">"
            HTMLText.append(top.jobClass, to: &out, limit: 200)
            out += "</span></strong> (score \(NumberText.compact(top.score))"
            if let tally = top.measuredCPU?.headline, tally.measuredRuns > 0, let share = tally.hostShare {
                out += ", its runs used \(NumberText.percent(share)) % of the host's CPU in"
                    + " \(EvidenceWriter.scopeName(tally.outageWindows)) (measured)"
            }
            if let attribution = top.cpuAttribPP { out += ", one run adds CPU \(NumberText.signed(attribution)) pp" }
            if let memory = top.memAttribMB { out += " and \(NumberText.signed(memory)) MB" }
            if let period = top.periodicity { out += ", runs every \(DurationExpression.humanize(period.period))" }
            if !analysis.outageWindows.isEmpty {
                out += ", running in \(top.inOutageWindows) of \(analysis.outageWindows.count) outage"
                    + " window\(analysis.outageWindows.count == 1 ? "" : "s")"
            }
            out += ").</li>"
        } else {
            out += "<li>No suspect: no class adds measurable load in this window.</li>"
        }
        let windows = analysis.outageWindows
        if windows.isEmpty {
            out += "<li>No outage window found.</li>"
        } else {
            let total = windows.reduce(0) { $0 + $1.duration }
            out += "<li>\(windows.count) outage window\(windows.count == 1 ? "" : "s"), \(DurationExpression.humanize(total)) in all; the"
                + " first began \(ISOTimestamp.short(windows[0].from)).</li>"
        }
        out += "<li>\(analysis.runCount) runs of \(analysis.profiles.count) classes, \(analysis.hostSampleCount) host samples,"
            + " \(analysis.processSampleCount) process samples"
        if let memory = analysis.hostMemoryTotalMB { out += "; host memory \(NumberText.compact(memory)) MB" }
        if let cpus = analysis.cpuCount { out += ", \(cpus) CPUs" }
        out += ".</li>"
        if !analysis.missing.isEmpty { out += "<li>Some data is missing: see <a href=\"#missing\">Missing data</a>.</li>" }
        out += "</ul></section>\n"
    }

    static func outageWindows(_ analysis: IncidentAnalysis, to out: inout String) {
        out += "<section id=\"outages\"><h2>Outage windows</h2>"
        if analysis.outageWindows.isEmpty {
            out += "<p class=\"note\">None found (CPU ≥ \(NumberText.compact(analysis.thresholds.cpuBusyPct)) % for"
                + " \(DurationExpression.humanize(analysis.thresholds.cpuMinimumDuration)), low MemAvailable, swapping, pressure, sampling"
                + " gaps, stale heartbeats, queue latency ≥"
                + " \(DurationExpression.humanize(analysis.thresholds.queueLatency))).</p></section>\n"
            return
        }
        out += "<table><thead><tr><th>#</th><th>from</th><th>to</th><th class=\"n\">duration</th><th>signals</th></tr></thead><tbody>"
        for (index, window) in analysis.outageWindows.enumerated() {
            out += "<tr><td>\(index + 1)</td><td>\(ISOTimestamp.short(window.from))</td><td>\(ISOTimestamp.short(window.to))</td>"
            out += "<td class=\"n\">\(DurationExpression.humanize(window.duration))</td><td><ul class=\"plain\">"
            appendItems(window.signals, to: &out, limit: 500)
            out += "</ul></td></tr>"
        }
        out += "</tbody></table></section>\n"
    }

    static func suspects(_ analysis: IncidentAnalysis, to out: inout String) {
        out += "<section id=\"suspects\"><h2>Suspects, most likely first</h2>"
        let shown = analysis.suspects.prefix(suspectsShown)
        if shown.isEmpty { out += "<p class=\"note\">No class has a positive score.</p>" }
        out += "<ol class=\"suspects\">"
        for profile in shown {
            out += "<li value=\"\(profile.rank)\"><p><span class=\"class\">"
            HTMLText.append(profile.jobClass, to: &out, limit: 200)
            out += "</span> <span class=\"score\">score \(NumberText.compact(profile.score))</span></p><ul>"
            appendItems(profile.evidence, to: &out, limit: 600)
            out += "</ul></li>"
        }
        out += "</ol>"
        if analysis.suspects.count > shown.count {
            out += "<p class=\"note\">\(analysis.suspects.count - shown.count) more classes with a positive score are in the table"
                + " below.</p>"
        }
        out += "</section>\n"
    }

    static func classTable(_ analysis: IncidentAnalysis, to out: inout String) {
        out += "<section id=\"classes\"><h2>Every class</h2>"
        out += "<table class=\"wide\"><thead><tr><th class=\"n\">rank</th><th>class</th><th class=\"n\">score</th><th"
            + " class=\"n\">runs</th><th class=\"n\">failed</th>"
        out += "<th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">max</th><th class=\"n\">busy share</th><th class=\"n\">max"
            + " at once</th>"
        out += "<th class=\"n\">CPU lift pp</th><th class=\"n\">CPU attrib pp</th><th class=\"n\">mem lift MB</th><th class=\"n\">mem"
            + " attrib MB</th>"
        out += "<th class=\"n\">outage windows</th></tr></thead><tbody>"
        for profile in analysis.profiles {
            out += "<tr><td class=\"n\">\(profile.rank)</td><td class=\"class\">"
            appendClassName(profile.jobClass, to: &out)
            out += "</td><td class=\"n\">\(NumberText.compact(profile.score))</td><td class=\"n\">\(profile.runs)</td><td"
                + " class=\"n\">\(profile.failed)</td>"
            out += "<td class=\"n\">\(DurationChartSVG.seconds(profile.p50))</td><td"
                + " class=\"n\">\(DurationChartSVG.seconds(profile.p95))</td><td class=\"n\">\(DurationChartSVG.seconds(profile.max))</td>"
            out += "<td class=\"n\">\(NumberText.percent(profile.busyShare)) %</td><td class=\"n\">\(profile.maxConcurrency)</td>"
            out += "<td class=\"n\">\(signed(profile.cpuLiftPP))</td><td class=\"n\">\(signed(profile.cpuAttribPP))</td>"
            out += "<td class=\"n\">\(signed(profile.memLiftMB))</td><td class=\"n\">\(signed(profile.memAttribMB))</td>"
            out += "<td class=\"n\">\(profile.inOutageWindows)</td></tr>"
        }
        out += "</tbody></table><p class=\"note\">Lift: host use while the class runs against while it does not. Attribution: what one"
            + " running instance adds once the classes running beside it are accounted for (the ranking uses it).</p></section>\n"
    }

    /// Per class, the CPU `record` measured for its runs over the window; only when the store holds any.
    static func measuredCPUTable(_ analysis: IncidentAnalysis, to out: inout String) {
        guard let measured = analysis.measuredCPU else { return }
        out += "<section id=\"cpu\"><h2>Measured CPU per class</h2><table class=\"wide\"><thead><tr>"
        let headers = ReportRenderer.measuredCPUHeaders(analysis)
        for (index, header) in headers.enumerated() {
            out += index > 0 && index < headers.count - 1 ? "<th class=\"n\">\(header)</th>" : "<th>\(header)</th>"
        }
        out += "</tr></thead><tbody>"
        for profile in analysis.profiles {
            let cells = ReportRenderer.measuredCPUCells(profile, analysis: analysis, sanitize: { HTMLText.text($0, limit: 200) })
            guard !cells.isEmpty else { continue }
            out += "<tr>"
            for (index, cell) in cells.enumerated() {
                if index == 0 {
                    out += "<td class=\"class\">"
                    appendClassName(profile.jobClass, to: &out)
                    out += "</td>"
                } else {
                    out += index < cells.count - 1 ? "<td class=\"n\">\(cell)</td>" : "<td>\(HTMLText.text(cell))</td>"
                }
            }
            out += "</tr>"
        }
        out += "</tbody></table>"
        let scope = measured.window
        out += "<p class=\"note\">Over the window (\(DurationExpression.humanize(scope.seconds))): "
        if let spent = scope.hostCPUSeconds {
            out += "the host\(scope.hosts > 1 ? "s" : "") spent \(NumberText.compact(spent)) CPU-seconds"
            if let cores = measured.cpuCount { out += " on \(cores) core\(cores == 1 ? "" : "s")" }
        } else {
            out += "the host's CPU-seconds are unknown"
        }
        out += ". CPU-s of a run partly in the window count in proportion; per run and per run-second take the measured runs whole."
            + " CPU per run-second is cores kept busy (1 = a whole core).</p>"
        let sentences = ReportRenderer.unattributedSentences(analysis)
        if !sentences.isEmpty {
            out += "<ul class=\"plain\">"
            appendItems(sentences, to: &out, limit: 600)
            out += "</ul>"
        }
        out += "</section>\n"
    }

    static func periodicJobs(_ model: ReportModel, to out: inout String) {
        out += "<section id=\"periodic\"><h2>Periodic jobs</h2>"
        var profileOf: [String: ClassProfile] = [:]
        for profile in model.analysis.profiles { profileOf[profile.jobClass] = profile }
        var scheduled = Set<String>()
        var rows = ""
        func row(schedule: PeriodicSchedule?, profile: ClassProfile?, jobClass: String) {
            let period = schedule?.periodSeconds ?? profile?.periodicity?.period
            rows += "<tr><td class=\"class\">"
            appendClassName(jobClass, to: &rows)
            rows += "</td><td>"
            if let schedule { HTMLText.append(schedule.name, to: &rows, limit: 200) } else { rows += "–" }
            rows += "</td><td>"
            HTMLText.append(schedule?.source.rawValue ?? profile?.periodicity?.source.rawValue ?? "–", to: &rows, limit: 40)
            rows += "</td><td class=\"n\">\(period.map(DurationExpression.humanize) ?? "–")</td>"
            rows += "<td class=\"n\">\(profile.map { "\($0.runs)" } ?? "0")</td><td"
                + " class=\"n\">\(DurationChartSVG.seconds(profile?.p95))</td>"
            let ratio = profile?.durationToPeriod ?? profile?.p95.flatMap { p95 in period.map { p95 / $0 } }
            let hot = (ratio ?? 0) >= 0.8 || (profile?.overlaps ?? 0) > 0
            rows += "<td class=\"n\(hot ? " hot" : "")\">\(ratio.map { NumberText.percent($0) + " %" } ?? "–")</td>"
            rows += "<td class=\"n\(hot ? " hot" : "")\">\(profile.map { "\($0.overlaps)" } ?? "–")</td><td>"
            let enabled = schedule?.enabled ?? profile?.periodicity?.enabled
            rows += enabled.map { $0 ? "enabled" : "<span class=\"off\">disabled</span>" } ?? "–"
            rows += "</td></tr>"
        }
        for schedule in model.schedules {
            scheduled.insert(schedule.jobClass)
            row(schedule: schedule, profile: profileOf[schedule.jobClass], jobClass: schedule.jobClass)
        }
        for profile in model.analysis.profiles where profile.periodicity != nil && !scheduled.contains(profile.jobClass) {
            row(schedule: nil, profile: profile, jobClass: profile.jobClass)
        }
        if rows.isEmpty {
            out += "<p class=\"note\">No schedules in Redis and no class with a steady period.</p></section>\n"
            return
        }
        out += "<table><thead><tr><th>class</th><th>schedule</th><th>source</th><th class=\"n\">period</th><th class=\"n\">runs</th><th"
            + " class=\"n\">p95</th>"
        out += "<th class=\"n\">p95 / period</th><th class=\"n\">overlaps</th><th>state</th></tr></thead><tbody>"
        out += rows
        out += "</tbody></table><p class=\"note\">A p95 near or above its period means runs pile up; overlaps are runs that started while"
            + " the previous one was still running.</p></section>\n"
    }

    static func queuesAndSets(_ model: ReportModel, to out: inout String) {
        out += "<section id=\"queues\"><h2>Queues, retries and dead jobs</h2>"
        if model.queuePeaks.isEmpty {
            out += "<p class=\"note\">No queue latency samples in this window.</p>"
        } else {
            out += "<table><thead><tr><th>queue</th><th class=\"n\">peak latency</th><th>at</th><th class=\"n\">size at"
                + " peak</th></tr></thead><tbody>"
            for peak in model.queuePeaks {
                out += "<tr><td class=\"class\">"
                HTMLText.append(peak.queue, to: &out, limit: 200)
                out += "</td><td class=\"n\">\(DurationChartSVG.duration(peak.peakLatency))</td><td>\(ISOTimestamp.short(peak.at))</td>"
                out += "<td class=\"n\">\(peak.sizeAtPeak.map { "\($0)" } ?? "–")</td></tr>"
            }
            out += "</tbody></table>"
        }
        if let growth = model.setGrowth {
            out += "<table><thead><tr><th>set</th><th class=\"n\">at \(ISOTimestamp.short(growth.from))</th><th class=\"n\">at"
                + " \(ISOTimestamp.short(growth.to))</th>"
            out += "<th class=\"n\">growth</th><th class=\"n\">peak</th></tr></thead><tbody>"
            for (name, set) in [("retry", growth.retry), ("dead", growth.dead)] {
                out += "<tr><td>\(name)</td><td class=\"n\">\(set.first)</td><td class=\"n\">\(set.last)</td>"
                out += "<td class=\"n\(set.last > set.first ? " hot" : "")\">"
                    + "\(set.last - set.first >= 0 ? "+" : "")\(set.last - set.first)</td>"
                    + "<td class=\"n\">\(set.peak)</td></tr>"
            }
            out += "</tbody></table>"
            if growth.processed != nil || growth.failed != nil {
                out += "<p>Processed \(growth.processed.map { "\($0)" } ?? "–"), failed \(growth.failed.map { "\($0)" } ?? "–") over the"
                    + " window.</p>"
            }
        } else {
            out += "<p class=\"note\">No retry/dead samples in this window.</p>"
        }
        out += "</section>\n"
    }

    static func recommendations(_ recommendations: [Recommendation], to out: inout String) {
        out += "<section id=\"recommendations\"><h2>Recommendations</h2>"
        if recommendations.isEmpty {
            out += "<p class=\"note\">None.</p></section>\n"
            return
        }
        out += "<ol class=\"recs\">"
        for recommendation in recommendations {
            out += "<li><p><span class=\"action\">"
            HTMLText.append(recommendation.action, to: &out, limit: 60)
            out += "</span>"
            if let jobClass = recommendation.jobClass {
                out += " <span class=\"class\">"
                HTMLText.append(jobClass, to: &out, limit: 200)
                out += "</span>"
            }
            if let schedule = recommendation.schedule {
                out += " (schedule <span class=\"class\">"
                HTMLText.append(schedule, to: &out, limit: 200)
                out += "</span>)"
            }
            out += "</p><p class=\"impact\">Impact: "
            HTMLText.append(recommendation.impact, to: &out, limit: 300)
            out += "</p>"
            if !recommendation.steps.isEmpty {
                out += "<ol class=\"steps\">"
                for step in recommendation.steps {
                    out += "<li><code>"
                    HTMLText.append(step, to: &out, limit: 2000)
                    out += "</code></li>"
                }
                out += "</ol>"
            }
            if let sideEffect = recommendation.sideEffect {
                out += "<p><strong>Side effect:</strong> "
                HTMLText.append(sideEffect, to: &out, limit: 600)
                out += "</p>"
            }
            if !recommendation.evidence.isEmpty {
                out += "<ul class=\"evidence\">"
                appendItems(recommendation.evidence, to: &out, limit: 600)
                out += "</ul>"
            }
            out += "<p class=\"note\">From the "
            HTMLText.append(recommendation.origin, to: &out, limit: 60)
            out += " rules.</p></li>"
        }
        out += "</ol></section>\n"
    }

    /// `<li>` elements, one per untrusted sentence, escaped.
    static func appendItems(_ items: [String], to out: inout String, limit: Int) {
        for item in items {
            out += "<li>"
            HTMLText.append(item, to: &out, limit: limit)
            out += "</li>"
        }
    }

    static func earlyWarnings(_ analysis: IncidentAnalysis, to out: inout String) {
        guard !analysis.earlyWarnings.isEmpty else { return }
        out += "<section id=\"early-warnings\"><h2>Early warnings</h2><ul>"
        appendItems(analysis.earlyWarnings.map(\.message), to: &out, limit: 600)
        out += "</ul></section>\n"
    }

    static func missing(_ analysis: IncidentAnalysis, to out: inout String) {
        guard !analysis.missing.isEmpty else { return }
        out += "<section id=\"missing\"><h2>Missing data</h2><ul>"
        appendItems(analysis.missing, to: &out, limit: 600)
        out += "</ul></section>\n"
    }

    /// A class name, escaped first, that may wrap after its `::` in a narrow column rather than mid-word.
    static func appendClassName(_ name: String, to out: inout String) {
        let escaped = HTMLText.text(name, limit: 200)
        out += escaped.contains("::") ? escaped.replacingOccurrences(of: "::", with: "::<wbr>") : escaped
    }

    private static func signed(_ value: Double?) -> String { value.map(NumberText.signed) ?? "–" }

    // MARK: Style

    /// Light and calm on screen, black on white in print; the charts scale with the page.
    static let style = """
    :root{--ink:#1f2933;--muted:#616e7c;--line:#d9dee4;--soft:#f4f6f8;--cpu:#2f6f9f;--mem:#3f7f4f;--load:#7a5a9a;--run:#c8641e;\
    --outage:#c0392b}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1280px;padding:24px 32px 48px;\
    font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
    .meta,.note{color:var(--muted)}.note{font-size:13px}
    .class{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere}
    code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px;background:var(--soft);padding:1px 4px;\
    border-radius:3px;white-space:pre-wrap;overflow-wrap:anywhere}
    ul.summary{padding-left:20px}ul.summary li{margin:3px 0}
    table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
    th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
    th{background:var(--soft);font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
    td.hot{color:#a33a12;font-weight:600}.off{color:var(--muted);text-decoration:line-through}
    table.wide{width:100%}ul.plain{margin:0;padding-left:16px}
    ol.suspects>li,ol.recs>li{margin:0 0 14px}ol.suspects p,ol.recs p{margin:2px 0}
    .score{color:var(--muted);font-size:13px;margin-left:6px}.action{font-weight:600;background:#fdf1e7;color:#8a3d0c;padding:1px 6px;\
    border-radius:3px}
    .impact{color:#3b4752}
    svg.chart{width:100%;height:auto;display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
    svg .panel{fill:#fbfcfd;stroke:var(--line)}svg .grid{stroke:#e4e8ec;stroke-width:1}svg .hgrid{stroke:#edf0f3;stroke-width:1}
    svg .tick{font-size:11px;fill:var(--muted)}svg .panel-title{font-size:12.5px;font-weight:600;fill:var(--ink)}
    svg .note{font-size:12px;fill:var(--muted)}svg .row-label{font-size:11.5px;fill:var(--ink)}svg .value{font-size:11.5px;\
    fill:var(--muted)}
    svg .cpu{fill:none;stroke:var(--cpu);stroke-width:1.4}svg .cpu-band{fill:var(--cpu);fill-opacity:.18}
    svg .mem{fill:none;stroke:var(--mem);stroke-width:1.4}svg .mem-area{fill:var(--mem);fill-opacity:.12}
    svg .load{fill:none;stroke:var(--load);stroke-width:1.4}svg .cores{stroke:var(--load);stroke-dasharray:4 3;stroke-opacity:.6}
    svg .outage rect{fill:var(--outage);fill-opacity:.10;stroke:var(--outage);stroke-opacity:.35}svg .outage text{font-size:11px;\
    font-weight:600;fill:var(--outage)}
    svg .row{fill:var(--soft)}svg .r1{fill:var(--run);fill-opacity:.45}svg .r2{fill:var(--run);fill-opacity:.75}svg .r3{fill:#8f3a0a}
    svg .dmax{fill:#c9d6e3}svg .dp95{fill:#7fa3c4}svg .dp50{fill:#2f6f9f}
    footer{margin-top:40px;color:var(--muted);font-size:12px}
    @media print{body{padding:0;max-width:none;font-size:11px}h2{break-after:avoid}section{break-inside:avoid-page}\
    svg.chart{break-inside:avoid}a{color:inherit;text-decoration:none}}
    """
}
