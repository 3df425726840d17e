import Foundation
import KiqprofCore
import Testing

@Suite("report html: a self-contained page with the timeline, the Gantt strip and everything escaped")
struct ReportHTMLRendererTests {
    static let hog = "Scheduler::Trends::RefreshScheduler"

    /// The synthetic incident analysed and built into a report model, with a recommendation.
    static func model(_ dataset: IncidentDataset, from: Double, to: Double,
                      tweak: (inout IncidentAnalysis) -> Void = { _ in }) -> ReportModel {
        var analysis = IncidentAnalyzer().analyze(dataset, from: from, to: to)
        tweak(&analysis)
        let top = analysis.profiles.first?.jobClass
        let recommendation = Recommendation(
            jobClass: top, schedule: "trends_refresh", action: "disable_schedule",
            steps: ["kiqprof toggle disable trends_refresh --scheduler sidekiq-scheduler --apply"],
            sideEffect: "Trending tags and links stop refreshing until the schedule is enabled again.",
            evidence: analysis.profiles.first?.evidence ?? [], impact: "high: one run adds 45 pp CPU and 800 MB, every 1m00s",
            impactScore: 100, origin: "measured")
        return ReportModelBuilder.build(dataset: dataset, analysis: analysis, recommendations: [recommendation],
                                        generatedAt: SyntheticIncident.start + 7200, appVersion: "4.3.1")
    }

    static func syntheticModel() -> ReportModel {
        var dataset = SyntheticIncident().dataset
        dataset.schedules = [.init(name: "trends_refresh", jobClass: hog, source: .sidekiqScheduler, every: "1m", enabled: true),
                             .init(name: "old_cleanup", jobClass: "CleanupJob", source: .sidekiqCron, cron: "0 0 * * *", enabled: false)]
        dataset.queuePoints = [.init(t: SyntheticIncident.start + 3700, queue: "default", latency: 95, size: 1200)]
        dataset.setPoints = [.init(t: SyntheticIncident.start, retry: 3, dead: 0, processed: 1000, failed: 2),
                             .init(t: SyntheticIncident.start + 7200, retry: 40, dead: 1, processed: 20000, failed: 60)]
        return model(dataset, from: SyntheticIncident.start, to: SyntheticIncident.start + 7200)
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    static func matches(_ pattern: String, in text: String) throws -> Int {
        try NSRegularExpression(pattern: pattern).numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    @Test func thePageShowsTheTopSuspectTheOutageShadingAndOneBarPerRun() throws {
        let model = Self.syntheticModel()
        let html = ReportHTMLRenderer.html(model)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""))
        let top = try #require(model.analysis.suspects.first)
        #expect(top.jobClass == Self.hog)
        #expect(html.contains("Most likely cause: #1 <span class=\"class\">\(Self.hog)</span>"))
        #expect(!model.analysis.outageWindows.isEmpty)
        #expect(Self.count("<g class=\"outage\">", in: html) == model.analysis.outageWindows.count)
        #expect(html.contains(">outage 1</text>"))
        // One bar per strip bar, each with its hover title; the legend swatches have none.
        let bars = model.strips.reduce(0) { $0 + $1.bars.count }
        #expect(bars > 0)
        #expect(try Self.matches("<rect class=\"r[123]\"[^>]*><title>", in: html) == bars)
        #expect(html.contains("#1 \(Self.hog)</text>"))
        // The per-class duration chart and the tables.
        #expect(html.contains("<svg class=\"chart durations\""))
        #expect(html.contains("trends_refresh") && html.contains("old_cleanup") && html.contains(">disabled<"))
        #expect(html.contains("disable_schedule") && html.contains("Side effect:"))
    }

    @Test func injectionStringsAppearOnlyEscaped() throws {
        let payload = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>&"
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;"
        var synthetic = SyntheticIncident()
        let hogIndex = try #require(synthetic.dataset.classes.firstIndex(of: Self.hog))
        synthetic.dataset.classes[hogIndex] = "class" + payload
        synthetic.dataset.schedules = [.init(name: "schedule" + payload, jobClass: "class" + payload, source: .sidekiqCron,
                                             cron: "* * * * *", enabled: true)]
        synthetic.dataset.queuePoints = [.init(t: SyntheticIncident.start + 3700, queue: "queue" + payload, latency: 95, size: 3)]
        var model = Self.model(synthetic.dataset, from: SyntheticIncident.start, to: SyntheticIncident.start + 7200) { analysis in
            analysis.profiles[0].evidence.append("evidence" + payload)
            analysis.outageWindows[0].signals.append("signal" + payload)
            analysis.missing.append("missing" + payload)
        }
        model.recommendations[0].steps.append("step" + payload)
        model.recommendations[0].sideEffect = "side\u{0}effect\u{202E}" + payload
        model.appVersion = "version" + payload
        #expect(model.strips.first?.jobClass == "class" + payload)

        let html = ReportHTMLRenderer.html(model)
        for label in ["class", "schedule", "queue", "evidence", "signal", "missing", "step", "version"] {
            #expect(html.contains(label + escaped), "\(label) not escaped")
            #expect(!html.contains(label + payload), "\(label) raw")
        }
        #expect(html.contains("side\u{FFFD}effect\u{FFFD}" + escaped))
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("\u{0}"))
        // Every ampersand starts an entity: nothing raw slipped through anywhere.
        #expect(try Self.matches("&(?!(amp|lt|gt|quot|#[0-9]+);)", in: html) == 0)
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func escapingCoversTextAndAttributeContexts() {
        #expect(HTMLText.text("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(HTMLText.attribute("x\"\n onload='y'") == "x&quot;&#10; onload=&#39;y&#39;")
        #expect(HTMLText.text("tab\tok\u{7}bell\u{85}") == "tab\tok\u{FFFD}bell\u{FFFD}")
        #expect(HTMLText.text("Ünïcödé 🙂 ok") == "Ünïcödé 🙂 ok")
        #expect(HTMLText.text(String(repeating: "a", count: 10), limit: 5) == "aaaa…")
    }

    /// Not a timed test: it checks the size budget of a day with a million runs and prints the time.
    @Test func aDayOfAMillionRunsStaysUnderThreeMegabytes() throws {
        let day = Self.largeDay()
        let from = SyntheticIncident.start, to = from + 86400
        let model = Self.model(day, from: from, to: to)
        let started = Date()
        let html = ReportHTMLRenderer.html(model)
        let elapsed = Date().timeIntervalSince(started)
        let bytes = html.utf8.count
        print("report html for \(day.runs.count) runs, \(day.hostPoints.count) host samples, \(model.analysis.profiles.count) classes:"
            + " \(bytes) bytes in \(String(format: "%.3f", elapsed)) s")
        #expect(bytes <= 3_000_000)
        #expect(model.analysis.profiles.count == 50)
        #expect(Self.count("<tr><td class=\"n\">", in: html) == 50)
        if let path = ProcessInfo.processInfo.environment["KIQPROF_HTML_LARGE_OUT"] {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// Writes the synthetic incident's report where `KIQPROF_HTML_OUT` says, for scripts/check-report.sh.
    /// Writes the synthetic report to a file (KIQPROF_HTML_OUT names it, to look at it; else a temporary one)
    /// and checks what was written.
    @Test func writesTheSampleReport() throws {
        let path = ProcessInfo.processInfo.environment["KIQPROF_HTML_OUT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-sample-\(UUID().uuidString).html").path
        defer { if ProcessInfo.processInfo.environment["KIQPROF_HTML_OUT"] == nil { try? FileManager.default.removeItem(atPath: path) } }
        let html = ReportHTMLRenderer.html(Self.syntheticModel())
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == html)
        #expect(written.hasPrefix("<!DOCTYPE html>") && written.contains("<svg") && !written.contains("<script"))
    }

    /// 24 h: 1,000,000 runs of 49 busy classes in start order, a hog every 5 min for 60 s, and a host sample
    /// a second whose CPU and memory rise while the hog runs.
    static func largeDay() -> IncidentDataset {
        var dataset = IncidentDataset()
        dataset.classes = ["Heavy::HourlyRollupJob"] + (1..<50).map { "Busy::Job\($0)" }
        dataset.hosts = ["big.example"]
        let start = SyntheticIncident.start
        dataset.runs.reserveCapacity(1_000_300)
        var nextHog = start
        for k in 0..<1_000_000 {
            let t = start + Double(k) * 0.0864
            while nextHog <= t {
                dataset.runs.append(.init(classIndex: 0, start: nextHog, end: nextHog + 60, hostIndex: 0))
                nextHog += 300
            }
            dataset.runs.append(.init(classIndex: Int32(1 + k % 49), start: t, end: t + 0.05 + Double(k % 7) * 0.3, hostIndex: 0,
                                      failed: k % 997 == 0))
        }
        dataset.hostPoints.reserveCapacity(86400)
        for second in 0..<86400 {
            let inHog = second % 300 < 60
            let wobble = Double((second * 7919) % 11) - 5
            dataset.hostPoints.append(.init(t: start + Double(second), hostIndex: 0, cpuBusyPct: (inHog ? 65 : 15) + wobble,
                                            memUsedMB: (inHog ? 2900 : 2000) + wobble * 4, memTotalMB: 4096,
                                            memUsedPct: nil, load1: inHog ? 3.5 : 1.2, cpuCount: 4))
        }
        return dataset
    }
}
