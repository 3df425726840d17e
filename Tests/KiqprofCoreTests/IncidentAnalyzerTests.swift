import KiqprofCore
import Testing

@Suite("incident: correlation, attribution and ranking on generated data with a known truth")
struct IncidentAnalyzerTests {
    static let day = SyntheticIncident()
    static let from = SyntheticIncident.start
    static let to = SyntheticIncident.start + 7200

    func profile(_ analysis: IncidentAnalysis, _ name: String) throws -> ClassProfile {
        try #require(analysis.profiles.first { $0.jobClass == name }, "no profile for \(name)")
    }

    @Test func thePeriodicHogRanksFirstAndTheDecoysBelowIt() throws {
        let analysis = IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        #expect(hog.rank == 1)
        let sleeper = try profile(analysis, "LinkCrawlSleeperJob")
        let tiny = try profile(analysis, "PushDeliveryJob")
        let oneOff = try profile(analysis, "BulkImportJob")
        #expect(sleeper.rank > hog.rank)
        #expect(tiny.rank > hog.rank)
        #expect(oneOff.rank > hog.rank)
        // The heavy one-off costs real resources; the sleeper and the tiny job do not.
        #expect(oneOff.rank < sleeper.rank)
        #expect(oneOff.rank < tiny.rank)
    }

    @Test func jointAttributionRecoversWhatEachClassAdds() throws {
        let analysis = IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        let sleeper = try profile(analysis, "LinkCrawlSleeperJob")
        let oneOff = try profile(analysis, "BulkImportJob")
        let tiny = try profile(analysis, "PushDeliveryJob")
        // The plain lift cannot tell the sleeper from the hog it always runs beside…
        #expect(try #require(sleeper.cpuLiftPP) > 25)
        // …the attribution can.
        #expect(abs(try #require(hog.cpuAttribPP) - 45) < 5)
        #expect(abs(try #require(hog.memAttribMB) - 800) < 80)
        #expect(try #require(sleeper.cpuAttribPP) < 3)
        #expect(try #require(sleeper.memAttribMB) < 40)
        #expect(abs(try #require(oneOff.cpuAttribPP) - 40) < 6)
        #expect((tiny.cpuAttribPP ?? 0) < 5)
    }

    @Test func periodicityComesFromStartTimesAndPileUpsAreCounted() throws {
        let analysis = IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        #expect(hog.periodicity?.source == .observed)
        #expect(abs((hog.periodicity?.period ?? 0) - 60) < 0.5)
        #expect(hog.overlaps == 4)
        #expect(hog.maxConcurrency == 2)
        #expect(try profile(analysis, "PushDeliveryJob").periodicity == nil)
        #expect(try profile(analysis, "BulkImportJob").periodicity == nil)
        let overlapping = try profile(analysis, "OverlappingLightJob")
        #expect(overlapping.periodicity?.period == 30)
        #expect(overlapping.overlaps == overlapping.runs - 1)
    }

    @Test func thePileUpIsFoundAsAnOutageWindowWithTheHogAtItsOnset() throws {
        let analysis = IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)
        #expect(analysis.outageWindows.count == 1)
        let window = try #require(analysis.outageWindows.first)
        #expect(window.signals.contains { $0.hasPrefix("CPU busy ≥ 90 % for") })
        #expect(window.from > Self.from + 3600 && window.from < Self.from + 3900)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        #expect(hog.inOutageWindows == 1)
        #expect(hog.runningAtOnset == 1)
        #expect(try profile(analysis, "BulkImportJob").inOutageWindows == 0)
        #expect(hog.evidence.contains { $0.contains("every 1m00s") && $0.contains("p95") })
        #expect(hog.evidence.contains { $0.contains("running in 1 of 1 outage window") })
        #expect(hog.evidence.contains { $0.hasPrefix("host CPU +") && $0.contains("one run adds CPU +") })
    }

    @Test func withoutHostSamplesItRanksByRunTimeAndPeriodicityAndSaysSo() throws {
        let day = SyntheticIncident(withHostSamples: false)
        let analysis = IncidentAnalyzer().analyze(day.dataset, from: Self.from, to: Self.to)
        #expect(analysis.missing.contains { $0.hasPrefix("no host samples in the window: resource evidence is missing") })
        #expect(analysis.outageWindows.isEmpty)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        let oneOff = try profile(analysis, "BulkImportJob")
        #expect(hog.cpuLiftPP == nil && hog.cpuAttribPP == nil)
        #expect(hog.score > 0)
        // Periodic long runners lead; the one-off and the tiny job trail.
        #expect(oneOff.rank > hog.rank)
        #expect(try profile(analysis, "PushDeliveryJob").rank > hog.rank)
        #expect(hog.evidence.contains("no host samples while it ran: resource use unknown"))
    }

    @Test func theSameInputGivesTheSameOutput() {
        let first = IncidentRenderer.json(IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)).serialized()
        let second = IncidentRenderer.json(IncidentAnalyzer().analyze(SyntheticIncident().dataset, from: Self.from,
            to: Self.to)).serialized()
        #expect(first == second)
        let text = IncidentRenderer.text(IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to))
        #expect(text == IncidentRenderer.text(IncidentAnalyzer().analyze(Self.day.dataset, from: Self.from, to: Self.to)))
    }

    @Test func aSchedulerDefinitionGivesThePeriodAndItsSource() throws {
        var day = SyntheticIncident()
        day.dataset.schedules = [.init(name: "trends_refresh_scheduler", jobClass: "Scheduler::Trends::RefreshScheduler",
                                       source: .sidekiqCron, cron: "* * * * *", enabled: true)]
        let analysis = IncidentAnalyzer().analyze(day.dataset, from: Self.from, to: Self.to)
        let hog = try profile(analysis, "Scheduler::Trends::RefreshScheduler")
        #expect(hog.periodicity == Periodicity(period: 60, source: .sidekiqCron, scheduleName: "trends_refresh_scheduler", enabled: true,
                                               jitter: 0))
        #expect(hog.evidence.first?.contains("every 1m00s (sidekiq-cron schedule trends_refresh_scheduler)") == true)
    }
}

@Suite("incident building blocks")
struct IncidentBuildingBlockTests {
    @Test func nonNegativeRegressionFindsKnownCoefficientsAndClampsNegativeOnes() {
        var regression = NonNegativeRegression(size: 3)
        // y = 5 + 2·a + 7·b − 3·c: c's true effect is negative, so it must come out 0.
        for i in 0..<400 {
            let a = Double(i % 2), b = Double((i / 2) % 2), c = Double((i / 4) % 2)
            regression.add(group: 0, y: 5 + 2 * a + 7 * b - 3 * c, columns: [0, 1, 2], values: [a, b, c])
        }
        let beta = regression.solve(ridge: 0)
        #expect(abs(beta[0] - 2) < 1e-6)
        #expect(abs(beta[1] - 7) < 1e-6)
        #expect(beta[2] == 0)
    }

    @Test func observedPeriodicityNeedsSteadyIntervals() {
        #expect(Periodicity.observed([0, 300, 600, 901, 1199])?.period == 300)
        #expect(Periodicity.observed([0, 300]) == nil)
        #expect(Periodicity.observed([0, 13, 200, 210, 500, 977]) == nil)
        // A burst of runs within a second counts as one start.
        #expect(Periodicity.observed([0, 0.2, 60, 60.1, 120, 180])?.period == 60)
    }

    @Test func cpuSaturationMustLastTheMinimumAndGapsAreSignals() {
        var dataset = IncidentDataset()
        dataset.hosts = ["h"]
        for second in 0..<600 {
            let t = 1000 + Double(second)
            if second > 300 && second < 400 { continue }  // a starved host: no samples for 100 s
            let busy: Double = (100..<130).contains(second) ? 99 : (200..<290).contains(second) ? 95 : 20
            dataset.hostPoints.append(.init(t: t, hostIndex: 0, cpuBusyPct: busy))
        }
        let windows = OutageWindowDetector().detect(dataset, from: 1000, to: 1600)
        #expect(windows.count == 1)
        // 30 s at 99 % is too short; 90 s at 95 % and the 100 s gap right after it merge into one window.
        #expect(windows[0].from == 1199)
        #expect(windows[0].to == 1400)
        #expect(windows[0].signals.count == 2)
        #expect(windows[0].signals[0] == "CPU busy ≥ 90 % for 1m30s (peak 95 %)")
        #expect(windows[0].signals[1].hasPrefix("no host sample for 1m40s (typical interval 1.0s)"))
        #expect(!windows[0].memoryExhausted)
    }

    @Test func lowMemAvailableMakesAMemoryWindow() throws {
        var dataset = IncidentDataset()
        dataset.hosts = ["h"]
        for second in 0..<120 {
            let used = (40..<70).contains(second) ? 97.5 : 60
            dataset.hostPoints.append(.init(t: 1000 + Double(second), hostIndex: 0, cpuBusyPct: 30, memUsedPct: used))
        }
        let window = try #require(OutageWindowDetector().detect(dataset, from: 1000, to: 1120).first)
        #expect(window.memoryExhausted)
        #expect(window.signals == ["MemAvailable ≤ 5 % of total for 30s (lowest 2.5 %)"])
    }

    @Test func aPolledRunsUncertainEndCountsByTheChanceItWasStillRunning() {
        // Started at 0, ended somewhere in [10, 14]: certain until 10, then a falling chance.
        let run = IncidentDataset.Run(classIndex: 0, start: 0, end: 12, endBracket: 10...14)
        #expect(run.expectedOverlap(0, 10) == 10)
        #expect(run.expectedOverlap(10, 14) == 2)
        #expect(run.expectedOverlap(10, 12) == 1.5)
        #expect(run.expectedOverlap(12, 14) == 0.5)
        #expect(run.expectedOverlap(14, 20) == 0)
        #expect(run.latestEnd == 14)
        let exact = IncidentDataset.Run(classIndex: 0, start: 0, end: 12)
        #expect(exact.expectedOverlap(10, 14) == 2)
    }

    @Test func sweepGivesFractionalConcurrencyPerSampleInterval() {
        let runs: [IncidentDataset.Run] = [.init(classIndex: 0, start: 0.5, end: 2.5), .init(classIndex: 1, start: 1, end: 3),
            .init(classIndex: 1, start: 1.5, end: 2)]
        var rows: [[Double]] = []
        ConcurrencySweep.sweep(times: [1, 2, 3], runs: runs, classCount: 2) { _, row in
            var values = [0.0, 0.0]
            for (k, c) in row.classes.enumerated() { values[Int(c)] = row.concurrency[k] }
            rows.append(values)
        }
        #expect(rows == [[0.5, 0], [1, 1.5], [0.5, 1]])
    }
}
