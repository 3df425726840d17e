import Foundation
import Testing
@testable import KiqprofCore

/// Per-run CPU measured by `record`, read back: class totals against the host's CPU-seconds, partial overlap,
/// per-run figures, unattributed job CPU, the ranking and the cross-check with the joint attribution. Every
/// expected number is worked out by hand in the comments.
@Suite("incident: measured per-run CPU")
struct MeasuredCPUTests {
    static let t0 = 1_795_000_000.0

    /// Host "vm" with 2 cores sampled every 10 s over [0, 200]: 50 % busy up to t = 100, 100 % after. Each
    /// interval carries its later sample's share: 10 intervals × 10 s × 0.5 × 2 + 10 × 10 s × 1.0 × 2 = 100 + 200
    /// = 300 CPU-seconds over the window; over [105, 200], 5 s × 2 + 9 × 20 = 190.
    /// One process whose job threads used 8 CPU-seconds every 10 s (none reported at t = 0).
    /// Runs (all in that process): Hog [20, 60] 30 CPU-s; [80, 140] 45 (42–48); [150, 190] 30; [160, 180] not
    /// measured (start_unseen). Light [110, 130] 2; [170, 190] with no note. Sleeper [100, 150] from a log.
    static func dataset() -> IncidentDataset {
        var dataset = IncidentDataset()
        dataset.classes = ["Hog", "Light", "Sleeper"]
        dataset.hosts = ["vm"]
        dataset.identities = ["vm:100:abc"]
        func run(_ jobClass: Int32, _ start: Double, _ end: Double, note: RunCPUNote? = nil) -> IncidentDataset.Run {
            var run = IncidentDataset.Run(classIndex: jobClass, start: t0 + start, end: t0 + end, identityIndex: 0, hostIndex: 0)
            run.cpuNote = note
            return run
        }
        dataset.runs = [run(0, 20, 60), run(0, 80, 140), run(2, 100, 150, note: .log), run(1, 110, 130), run(0, 150, 190),
                        run(0, 160, 180, note: .startUnseen), run(1, 170, 190)]
        dataset.setCPU(RunCPU(seconds: 30, minSeconds: 30, maxSeconds: 30, mapping: .sure), ofRun: 0)
        dataset.setCPU(RunCPU(seconds: 45, minSeconds: 42, maxSeconds: 48, mapping: .likely), ofRun: 1)
        dataset.setCPU(RunCPU(seconds: 2, minSeconds: 2, maxSeconds: 2, mapping: .sure), ofRun: 3)
        dataset.setCPU(RunCPU(seconds: 30, minSeconds: 30, maxSeconds: 30, mapping: .sure), ofRun: 4)
        for step in 0...20 {
            let t = Double(step * 10)
            dataset.hostPoints.append(.init(t: t0 + t, hostIndex: 0, cpuBusyPct: t <= 100 ? 50 : 100, cpuCount: 2))
            dataset.processPoints.append(.init(t: t0 + t, identityIndex: 0, cpuPct: nil, rssMB: nil, jobCPUSeconds: step == 0 ? nil : 8))
        }
        return dataset
    }

    static func measure(_ dataset: IncidentDataset = dataset(), outage: [OutageWindow] = [OutageWindow(from: t0 + 105, to: t0 + 200,
        signals: [])]) throws -> (MeasuredCPU, [MeasuredCPU.ClassCPU]) {
        try #require(MeasuredCPU.measure(dataset, runs: dataset.runs, from: t0, to: t0 + 200, outageWindows: outage, cpuCount: 2))
    }

    static func near(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) < 1e-9
    }

    @Test func classTotalsOverTheWindowAgainstTheHostsCPUSeconds() throws {
        let (summary, classes) = try Self.measure()
        #expect(Self.near(summary.window.hostCPUSeconds, 300))
        #expect(summary.window.hosts == 1)
        #expect(summary.window.hostUnobservedSeconds == 0)
        let hog = classes[0].window
        #expect(hog.runs == 4 && hog.measuredRuns == 3 && hog.unmeasured == ["start_unseen": 1])
        // 30 + 45 + 30 CPU-seconds, bounds 30 + 42 + 30 and 30 + 48 + 30; 105 of 300 is 35 %.
        #expect(Self.near(hog.cpuSeconds, 105) && Self.near(hog.cpuSecondsMin, 102) && Self.near(hog.cpuSecondsMax, 108))
        #expect(Self.near(hog.hostShare, 0.35))
        // Per run: 105 CPU-seconds over 40 + 60 + 40 = 140 s of measured runs is 0.75 CPU; 35 CPU-seconds a run.
        #expect(Self.near(hog.cpuPerRunSecond, 0.75) && Self.near(hog.cpuSecondsPerRun, 35))
        // Run time 160 s, 140 of it measured: coverage 0.875; on 2 cores one run takes 37.5 pp, and that ranks it.
        #expect(Self.near(hog.coverage, 0.875))
        #expect(Self.near(classes[0].cpuPP, 37.5) && classes[0].drivesScore)
        let light = classes[1].window
        #expect(light.runs == 2 && light.measuredRuns == 1 && light.unmeasured == [MeasuredCPU.noNote: 1])
        #expect(Self.near(light.cpuPerRunSecond, 0.1) && Self.near(classes[1].cpuPP, 5) && classes[1].drivesScore)
        let sleeper = classes[2]
        #expect(sleeper.window.measuredRuns == 0 && sleeper.window.unmeasured == ["log": 1])
        #expect(sleeper.cpuPP == nil && !sleeper.drivesScore)
    }

    @Test func aRunPartlyInTheOutageWindowCountsInProportion() throws {
        let (summary, classes) = try Self.measure()
        let outage = try #require(summary.outage)
        #expect(Self.near(outage.hostCPUSeconds, 190))
        let hog = try #require(classes[0].outage)
        #expect(hog.outageWindows == 1)
        // [80, 140] has 35 of its 60 s in [105, 200]: 45 × 35/60 = 26.25 (bounds 24.5 and 28), plus 30 whole.
        #expect(hog.runs == 3 && hog.measuredRuns == 2)
        #expect(Self.near(hog.cpuSeconds, 56.25) && Self.near(hog.cpuSecondsMin, 54.5) && Self.near(hog.cpuSecondsMax, 58))
        #expect(Self.near(hog.runSeconds, 35 + 40 + 20) && Self.near(hog.measuredRunSeconds, 75))
        #expect(Self.near(hog.hostShare, 56.25 / 190))
        // Per-run figures take the runs whole: (45 + 30) / (60 + 40) and (45 + 30) / 2.
        #expect(Self.near(hog.cpuPerRunSecond, 0.75) && Self.near(hog.cpuSecondsPerRun, 37.5))
        #expect(Self.near(outage.measuredRunCPUSeconds, 56.25 + 2))
    }

    @Test func jobCPUNoMeasuredRunExplainsIsUnattributedPerProcess() throws {
        let (summary, _) = try Self.measure()
        // Window: 20 samples × 8 = 160; measured runs 105 + 2 = 107; 53 unattributed.
        let process = try #require(summary.window.processes.first)
        #expect(process.identity == "vm:100:abc")
        #expect(Self.near(process.jobCPUSeconds, 160) && Self.near(process.measuredRunCPUSeconds, 107))
        #expect(Self.near(process.unattributedJobCPUSeconds, 53))
        #expect(Self.near(summary.window.unattributedJobCPUSeconds, 53))
        // Outage [105, 200]: the sample at 110 covers (100, 110], half inside: 4; then 9 × 8 = 72. Runs: 56.25 + 2.
        let outage = try #require(summary.outage?.processes.first)
        #expect(Self.near(outage.jobCPUSeconds, 76) && Self.near(outage.measuredRunCPUSeconds, 58.25))
        #expect(Self.near(outage.unattributedJobCPUSeconds, 17.75))
    }

    @Test func theSentencesShowTheMeasuredNumbers() throws {
        let (summary, classes) = try Self.measure()
        #expect(EvidenceWriter.measuredCPU(classes[0]) == "used 56 CPU-seconds (55–58) of the 190 the host spent in the outage window"
            + " (30 %); 0.75 CPU per run-second, 38 CPU-seconds per run; 2 of 3 runs measured (not measured: 1 started before the"
            + " recorder's per-thread history)")
        #expect(EvidenceWriter.measuredCPU(classes[1]) == "used 2 CPU-seconds of the 190 the host spent in the outage window (1.1 %);"
            + " 0.10 CPU per run-second, 2 CPU-seconds per run; 1 of 2 runs measured (not measured: 1 with no measurement stored)")
        #expect(EvidenceWriter.measuredCPU(classes[2]) == "no run measured for CPU in the outage window (1 run: 1 from a log)")
        #expect(IncidentRenderer.measuredCPUText(summary) == """
            Measured CPU in the outage window (1m35s)
              - the host spent 190 CPU-seconds (2 cores); the measured runs used 58
              - vm:100:abc: 18 CPU-seconds of unattributed job CPU (its job threads used 76, its measured runs 58: runs too short to \
            be seen, or not measured)


            """)
        // Without outage windows the sentence speaks of the window.
        let (_, plain) = try Self.measure(outage: [])
        #expect(plain[0].outage == nil)
        #expect(EvidenceWriter.measuredCPU(plain[0]) == "used 105 CPU-seconds (102–108) of the 300 the host spent in the window (35 %);"
            + " 0.75 CPU per run-second, 35 CPU-seconds per run; 3 of 4 runs measured (not measured: 1 started before the recorder's"
            + " per-thread history)")
    }

    @Test func tooLittleMeasuredRunTimeLeavesTheScoreToTheAttribution() throws {
        var dataset = Self.dataset()
        // A third Light run, [190, 390], unmeasured: 10 s of it in the window. Measured 20 s of 20 + 20 + 10: 40 %.
        dataset.runs.append(.init(classIndex: 1, start: Self.t0 + 190, end: Self.t0 + 390, identityIndex: 0, hostIndex: 0))
        let (_, classes) = try Self.measure(dataset, outage: [])
        #expect(classes[1].window.runs == 3)
        #expect(Self.near(classes[1].window.coverage, 0.4))
        #expect(!classes[1].drivesScore)
        #expect(EvidenceWriter.measuredCPU(classes[1]).hasSuffix("; only 40 % of its run time in the window measured, too little to"
            + " rank it by"))
    }

    @Test func cpuOffTheJobThreadsWhileAClassRanLeavesTheScoreToTheAttribution() throws {
        // The process's own CPU, from the sample at t = 110 (its interval is (100, 110]): 90 % of a core, 0.9 − 0.8
        // of job threads = 0.1 CPU per second outside them; from the sample at 160, 190 %: 1.9 − 0.8 = 1.1.
        var dataset = Self.dataset()
        for index in dataset.processPoints.indices where dataset.processPoints[index].t >= Self.t0 + 110 {
            dataset.processPoints[index].cpuPct = dataset.processPoints[index].t > Self.t0 + 150 ? 190 : 90
        }
        let (_, classes) = try Self.measure(dataset, outage: [])
        // Hog: [20, 60] has no sample with the process's CPU; [80, 140] has 40 s at 0.1 = 4; [150, 190] 40 s at 1.1 = 44.
        // 48 CPU-seconds over its 140 s of measured runs: 0.34 CPU per run-second, past the 0.25 limit.
        let hog = classes[0]
        #expect(Self.near(hog.window.wholeOffThreadCPUSeconds, 48) && Self.near(hog.window.offThreadCPUSeconds, 48))
        #expect(Self.near(hog.window.offThreadPerRunSecond, 48.0 / 140))
        #expect(hog.offThreadBusy && !hog.drivesScore)
        #expect(EvidenceWriter.measuredCPU(hog).hasSuffix("; while it ran, its process spent 48 CPU-seconds (0.34 CPU per run-second)"
            + " outside its job threads, on threads a job starts or a C library's, whose CPU no thread measure can assign: it is"
            + " ranked by the joint attribution"))
        // Light: [110, 130] at 0.1 = 2 over 20 s, 0.1 CPU per run-second: its measurement still ranks it.
        #expect(Self.near(classes[1].window.offThreadPerRunSecond, 0.1) && classes[1].drivesScore)
        // Without the process's own CPU nothing is known off the threads, and nothing changes.
        let (_, plain) = try Self.measure(outage: [])
        #expect(plain[0].window.offThreadCPUSeconds == nil && plain[0].drivesScore)
    }

    @Test func disagreementNeedsTenPointsAndHalfTheLarger() {
        #expect(MeasuredCPU.disagree(measuredPP: 40, attributionPP: 15))
        #expect(!MeasuredCPU.disagree(measuredPP: 30, attributionPP: 16))
        #expect(!MeasuredCPU.disagree(measuredPP: 4, attributionPP: 12))
        #expect(MeasuredCPU.disagree(measuredPP: 0, attributionPP: 11))
        #expect(MeasuredCPU.disagree(measuredPP: 10, attributionPP: 45))
    }

    @Test func withoutMeasuredCPUNothingChanges() throws {
        let day = SyntheticIncident()
        #expect(!day.dataset.hasMeasuredCPU)
        let analysis = IncidentAnalyzer().analyze(day.dataset, from: SyntheticIncident.start, to: SyntheticIncident.start + 7200)
        #expect(analysis.measuredCPU == nil)
        #expect(analysis.profiles.allSatisfy { $0.measuredCPU == nil })
        #expect(analysis.profiles.allSatisfy { !$0.evidence.contains { $0.contains("CPU-seconds") || $0.contains("measured") } })
        #expect(SuspectScore.parts(analysis.profiles[0], hostMemoryMB: 8192, outageWindowCount: 1).resourceBasis == .attribution)
        let json = IncidentRenderer.json(analysis).serialized()
        #expect(json.contains("\"measured_cpu\": null"))
        #expect(!IncidentRenderer.text(analysis).contains("Measured CPU"))
        // The compact run keeps its size: measured CPU lives beside the runs, not in each.
        #expect(MemoryLayout<IncidentDataset.Run>.stride <= 72)
    }

    /// On the generated day, the hog really adds 45 pp and the sleeper nothing; measurements that say the
    /// opposite (the hog 0.2 CPU per run-second, the sleeper 1.6) take over the CPU part of the ranking, and
    /// both disagreements with the attribution are said.
    @Test func measuredCPUDrivesTheRankingAndADisagreementIsReported() throws {
        var day = SyntheticIncident()
        let hog = try #require(day.dataset.classes.firstIndex(of: "Scheduler::Trends::RefreshScheduler"))
        let sleeper = try #require(day.dataset.classes.firstIndex(of: "LinkCrawlSleeperJob"))
        for index in day.dataset.runs.indices {
            let run = day.dataset.runs[index]
            let rate = run.classIndex == Int32(hog) ? 0.2 : run.classIndex == Int32(sleeper) ? 1.6 : nil
            if let rate {
                let cpu = rate * run.duration
                day.dataset.setCPU(RunCPU(seconds: cpu, minSeconds: cpu, maxSeconds: cpu, mapping: .sure), ofRun: index)
            }
        }
        let analysis = IncidentAnalyzer().analyze(day.dataset, from: SyntheticIncident.start, to: SyntheticIncident.start + 7200)
        let first = try #require(analysis.profiles.first)
        #expect(first.jobClass == "LinkCrawlSleeperJob")
        let hogProfile = try #require(analysis.profiles.first { $0.jobClass == "Scheduler::Trends::RefreshScheduler" })
        #expect(hogProfile.rank > 1)
        let measured = try #require(hogProfile.measuredCPU)
        #expect(Self.near(measured.cpuPP.map { ($0 * 1e9).rounded() / 1e9 }, 10))
        #expect(measured.drivesScore && measured.attributionDisagrees == true)
        // The CPU part of the score is the measured 10 pp: R = 0.10 + the memory part.
        let parts = SuspectScore.parts(hogProfile, hostMemoryMB: analysis.memoryBudgetMB, outageWindowCount: analysis.outageWindows.count)
        var memoryOnly = hogProfile
        memoryOnly.measuredCPU = nil
        memoryOnly.cpuAttribPP = nil
        memoryOnly.cpuLiftPP = nil
        let memory = SuspectScore.parts(memoryOnly, hostMemoryMB: analysis.memoryBudgetMB, outageWindowCount: 0).resource
        #expect(parts.resourceBasis == .measured)
        #expect(abs(parts.resource - (0.10 + memory)) < 1e-9)
        let attribution = try #require(hogProfile.cpuAttribPP)
        #expect(attribution > 35, "the attribution still sees the real cost")
        let line = try #require(hogProfile.evidence.first { $0.hasPrefix("measured and attributed CPU disagree") })
        #expect(line.hasPrefix("measured and attributed CPU disagree: measured, one run takes 10 pp of the host (0.20 CPU of 2 cores)"
            + " over the window; the joint attribution says CPU \(NumberText.signed(attribution)) pp (95 % interval "))
        #expect(line.hasSuffix("; the score uses the measurement"))
        // Measured CPU is the first CPU evidence: before the lift and attribution sentence.
        let measuredAt = try #require(hogProfile.evidence.firstIndex { $0.hasPrefix("used ") })
        let liftAt = try #require(hogProfile.evidence.firstIndex { $0.hasPrefix("host CPU") })
        #expect(measuredAt < liftAt)
        let json = IncidentRenderer.json(analysis).serialized()
        #expect(json.contains("\"resource_basis\": \"measured\""))
        #expect(json.contains("\"attribution_disagrees\": true"))
    }

    @Test func theStoreLoadsMeasuredCPUNotesAndJobCPU() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-cpu-\(UUID().uuidString)/k.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try Store(path: path)
        var batch = RecordBatch()
        var measured = JobRun(jid: "a", jobClass: "Hog", queue: "default", identity: "vm:1:x", host: "vm", pid: 1, tid: "t1", start: 100,
                              end: .between(158, 162), outcome: .ok, source: .poll)
        measured.cpu = RunCPU(seconds: 45, minSeconds: 43, maxSeconds: 47, mapping: .likely)
        var unsure = JobRun(jid: "b", jobClass: "Hog", queue: "default", identity: "vm:1:x", host: "vm", pid: 1, tid: "t2", start: 110,
                            end: .between(118, 122), outcome: .ok, source: .poll)
        unsure.cpuNote = .unsure
        let logged = JobRun(jid: "c", jobClass: "Sleeper", queue: "default", identity: nil, host: "vm", pid: 1, tid: "t3", start: 120,
                            end: .exact(150), outcome: .ok, source: .log)
        batch.runs = [measured, unsure, logged]
        var sample = ProcessSample(t: 130, identity: "vm:1:x", host: "vm", pid: 1, busy: 2, concurrency: 5)
        sample.jobCPUSeconds = 1.5
        batch.processSamples = [ProcessSample(t: 120, identity: "vm:1:x", host: "vm", pid: 1, busy: 2, concurrency: 5), sample]
        try store.write(batch)
        let dataset = try store.incidentDataset(from: 0, to: 1000)
        #expect(dataset.runs.count == 3 && dataset.runCPU.count == 1)
        #expect(dataset.cpu(of: dataset.runs[0]) == RunCPU(seconds: 45, minSeconds: 43, maxSeconds: 47, mapping: .likely))
        #expect(dataset.runs[0].cpuNote == nil)
        #expect(dataset.cpu(of: dataset.runs[1]) == nil && dataset.runs[1].cpuNote == .unsure)
        #expect(dataset.cpu(of: dataset.runs[2]) == nil && dataset.runs[2].cpuNote == .log,
                "a log's run is `log` though the row says nothing")
        #expect(dataset.processPoints.map(\.jobCPUSeconds) == [nil, 1.5])
        #expect(dataset.hasMeasuredCPU)
    }
}
