import KiqprofCore
import Testing

@Suite("recommend: the switches that tame the suspects")
struct RecommenderTests {
    static let from = SyntheticIncident.start
    static let to = SyntheticIncident.start + 7200
    static let trendsSchedule = PeriodicSchedule(
        name: "trends_refresh_scheduler", jobClass: "Scheduler::Trends::RefreshScheduler", source: .sidekiqCron, cron: "* * * * *",
        enabled: true, toggleKey: "mastodon:cron_job:trends_refresh_scheduler")

    func analysis(schedules: [PeriodicSchedule] = [trendsSchedule]) -> IncidentAnalysis {
        var day = SyntheticIncident()
        day.dataset.schedules = schedules
        return IncidentAnalyzer().analyze(day.dataset, from: Self.from, to: Self.to)
    }

    @Test func aTrendsSuspectGetsMastodonsStepsWithTheSchedulerThatReallyHoldsIt() throws {
        let result = Recommender(schedules: [Self.trendsSchedule]).recommend(analysis())
        #expect(result.nothingStandsOut == nil)
        let first = try #require(result.recommendations.first)
        #expect(first.jobClass == "Scheduler::Trends::RefreshScheduler")
        #expect(first.action == "disable_schedule")
        #expect(first.origin == "mastodon")
        // The store says sidekiq-cron holds it, under the redis-namespace: the step names that, not the rule's default.
        #expect(first.steps[0].contains("sidekiq-cron"))
        #expect(first.steps.joined().contains("HSET mastodon:cron_job:trends_refresh_scheduler status disabled"))
        #expect(first.steps.joined().contains("status enabled"), "an undo step: \(first.steps)")
        #expect(first.sideEffect?.contains("freezes") == true)
        #expect(first.evidence.contains { $0.contains("every 1m00s (sidekiq-cron schedule trends_refresh_scheduler)") })
        #expect(first.impact.hasPrefix("high: one run adds"))
        let trends = result.recommendations.filter { $0.jobClass == "Scheduler::Trends::RefreshScheduler" }
        let setting = try #require(trends.first { $0.action == "admin_setting" })
        #expect(setting.steps.joined().contains("Administration > Server settings > Discovery"))
        #expect(setting.steps.joined().contains("does NOT stop the job"))
        let upgrade = try #require(trends.first { $0.action == "upgrade" })
        #expect(upgrade.steps.joined().contains("4.2.1"))
        #expect(upgrade.steps.joined().contains("version is unknown"))
        // Overlapping runs get a lock even though the rule has none.
        #expect(trends.contains { $0.action == "add_lock" && $0.origin == "measured" })
        // What switching it off costs reaches the output: the rule's side effect, beside the action's caveat.
        #expect(first.sideEffect?.contains("Trending posts/tags/links freeze and drain") == true, "\(first.sideEffect ?? "")")
        // Mastodon's own disable step stands; no generic duplicate.
        #expect(trends.filter { $0.action == "disable_schedule" }.count == 1)
    }

    @Test func aKnownVersionDropsTheUpgradeItAlreadyHas() {
        let result = Recommender(appVersion: AppVersion("4.3.0"), schedules: [Self.trendsSchedule]).recommend(analysis())
        #expect(!result.recommendations.contains { $0.action == "upgrade" })
        let older = Recommender(appVersion: AppVersion("4.1.2"), schedules: [Self.trendsSchedule]).recommend(analysis())
        #expect(older.recommendations.contains { $0.action == "upgrade" && $0.steps.joined().contains("from 4.1.2") })
    }

    @Test func anUnknownHeavyClassGetsGenericStepsAndTheSleeperNone() throws {
        let result = Recommender(schedules: [Self.trendsSchedule]).recommend(analysis())
        let bulk = result.recommendations.filter { $0.jobClass == "BulkImportJob" }
        #expect(!bulk.isEmpty)
        #expect(bulk.allSatisfy { $0.origin == "measured" })
        let isolate = try #require(bulk.first { $0.action == "isolate_queue" })
        #expect(isolate.steps[0].contains("sidekiq -c 1 -q heavy"))
        #expect(isolate.evidence.contains { $0.contains("one run adds CPU +") })
        #expect(!result.recommendations.contains { $0.jobClass == "LinkCrawlSleeperJob" })
        #expect(!result.recommendations.contains { $0.jobClass == "PushDeliveryJob" })
        // Ordered by expected impact.
        let scores = result.recommendations.map(\.impactScore)
        #expect(scores == scores.sorted(by: >))
    }

    @Test func withoutASchedulerItSaysWhichIsUnknown() throws {
        let result = Recommender(schedules: []).recommend(analysis(schedules: []))
        let disable = try #require(result.recommendations.first { $0.action == "disable_schedule" })
        #expect(disable.steps[0].contains("which scheduler holds it is unknown"))
    }

    @Test func aQuietWindowSaysNothingStandsOut() {
        var day = SyntheticIncident(duration: 600, pileUpAt: nil)
        day.dataset.runs = day.dataset.runs.filter { day.dataset.classes[Int($0.classIndex)] == "PushDeliveryJob" }
        let quiet = IncidentAnalyzer().analyze(day.dataset, from: Self.from, to: Self.from + 600)
        let result = Recommender().recommend(quiet)
        #expect(result.recommendations.isEmpty)
        #expect(result.nothingStandsOut?.hasPrefix("Nothing stands out: the top class, PushDeliveryJob") == true)
    }

    @Test func memoryCloseToTheHostLimitLowersConcurrency() throws {
        let facts = Recommender.ProcessFacts(processes: 3, peakRSSMB: 2000, concurrency: 25)
        let result = Recommender(schedules: [Self.trendsSchedule]).recommend(analysis(), processes: facts)
        let lower = try #require(result.recommendations.first { $0.action == "lower_concurrency" })
        #expect(lower.jobClass == nil)
        #expect(lower.evidence[0].contains("3 Sidekiq processes peaked at 2000 MB RSS: 6000 MB, 73 % of the host's 8192 MB"))
    }
}

@Suite("report renderers escape what came from Redis or a log")
struct ReportRendererTests {
    @Test func markdownEscapesHTMLAndTableSyntax() {
        let hostile = "Evil<script>alert(1)</script>|Job"
        let escaped = MarkdownText.escape(hostile)
        #expect(!escaped.contains("<script>"))
        #expect(escaped == "Evil&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\|Job")
        #expect(MarkdownText.escape("[click](http://x)") == "\\[click\\]\\(http://x\\)")
    }

    @Test func theMarkdownReportCarriesNoRawInjection() {
        var day = SyntheticIncident()
        let hostile = "Evil<img src=x onerror=alert(1)>|Job"
        day.dataset.classes[0] = hostile
        let analysis = IncidentAnalyzer().analyze(day.dataset, from: SyntheticIncident.start, to: SyntheticIncident.start + 7200)
        let model = ReportModelBuilder.build(dataset: day.dataset, analysis: analysis,
            recommendations: Recommender().recommend(analysis).recommendations,
                                             generatedAt: SyntheticIncident.start + 7200, appVersion: nil)
        let markdown = ReportRenderer.markdown(model)
        #expect(!markdown.contains("<img"))
        #expect(markdown.contains("Evil&lt;img src=x onerror=alert\\(1\\)&gt;\\|Job"))
        let json = ReportRenderer.json(model).serialized()
        #expect(json.contains("\"incident\""))
        #expect(json.contains("\"recommendations\""))
        #expect(json.contains("\"classes\""))
    }
}
