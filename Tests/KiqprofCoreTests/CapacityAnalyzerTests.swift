import KiqprofCore
import Testing

/// `capacity` on a generated month at 1-minute resolution with a known truth: a base load of 0.2 vCPU and a
/// periodic hog (every 10 min for 2 min, +60 pp of 2 vCPUs and +300 MB a run) that together average 0.44 vCPU,
/// above a t4g.small's 0.4 baseline, and one Sidekiq process whose RSS only grows (0.3 MB/h).
@Suite("capacity: advice on a generated month")
struct CapacityAnalyzerTests {
    static let start = 1_794_960_000.0
    static let minutes = 43_200
    static let hog = "Scheduler::Trends::RefreshScheduler"

    static func month() -> IncidentDataset {
        var dataset = IncidentDataset()
        dataset.classes = [hog, "LinkCrawlWorker"]
        dataset.identities = ["vm:100:0123456789ab"]
        dataset.hosts = ["vm"]
        var seed: UInt64 = 7
        func noise() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 33) / Double(1 << 31) - 0.5
        }
        for k in 0..<(minutes / 10) {
            let t = start + Double(k) * 600
            dataset.runs.append(.init(classIndex: 0, start: t, end: t + 120, identityIndex: 0, hostIndex: 0))
            dataset.runs.append(.init(classIndex: 1, start: t + 300, end: t + 330, identityIndex: 0, hostIndex: 0))
        }
        dataset.runs.sort { $0.start < $1.start }
        for j in 0...minutes {
            let t = start + Double(j) * 60
            let hogRunning = j > 0 && (j - 1) % 10 < 2
            let rss = 250 + 0.3 * Double(j) / 60
            var point = IncidentDataset.HostPoint(
                t: t, hostIndex: 0, cpuBusyPct: 10 + (hogRunning ? 60 : 0) + noise(),
                memUsedMB: 900 + rss + (hogRunning ? 300 : 0) + 4 * noise(), memTotalMB: 1900, cpuCount: 2)
            point.bootIndex = -1
            dataset.hostPoints.append(point)
            dataset.processPoints.append(.init(t: t, identityIndex: 0, cpuPct: nil, rssMB: rss, concurrency: 5))
        }
        dataset.schedules = [PeriodicSchedule(name: "trends_refresh_scheduler", jobClass: hog, source: .sidekiqCron,
                                              cron: "*/10 * * * *")]
        return dataset
    }

    static func analyze(_ type: String) -> CapacityAnalysis {
        let dataset = month()
        let to = start + Double(minutes) * 60
        let incident = IncidentAnalyzer().analyze(dataset, from: start, to: to)
        return CapacityAnalyzer(instance: BurstableInstance.named(type)).analyze(dataset, incident: incident)
    }

    /// One analysis of the month for the tests that read it (the incident analysis of a month takes a while in debug).
    static let onSmall = analyze("t4g.small")

    @Test func aMonthOnAT4gSmallRunsOutOfCreditsAndDisablingTheHogWouldHaveKeptThem() throws {
        let result = Self.onSmall
        let cpu = try #require(result.cpu)
        #expect(result.hostSamples == Self.minutes + 1 && cpu.intervals == Self.minutes)
        #expect(abs(cpu.meanDemandVCPUs - 0.44) < 0.01, "0.2 + 2/10 × 1.2")
        #expect(cpu.startBalanceSource.hasPrefix("assumed full"))
        let standard = try #require(cpu.standard)
        // 576 credits at a net drain of 0.04 a minute last about 10 days.
        let empty = try #require(standard.firstEmptyAt)
        #expect(abs((empty - Self.start) / 86400 - 10) < 1.5, "ran out after \((empty - Self.start) / 86400) days")
        #expect(standard.throttledSeconds > 0 && standard.demandCutCredits > 0)
        let unlimited = try #require(cpu.unlimited)
        #expect(unlimited.surplusSpent > 0 && unlimited.billableVCPUHours > 0)
        #expect(cpu.hours.count == 720 && cpu.hoursAboveBaseline == 720)

        let disable = try #require(result.advice.first { $0.kind == "disable_schedule" })
        #expect(disable.setting == "kiqprof toggle disable trends_refresh_scheduler")
        let values = Dictionary(disable.values.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        let saved = try #require(values["credits_saved"] ?? nil)
        #expect(abs(saved - 43_200 * 0.2 * 1.2) / (43_200 * 0.2 * 1.2) < 0.15, "saved \(saved)")
        #expect(values["throttled_s_after"] == 0)
    }

    @Test func theMonthsMemoryAdviceCarriesItsArithmetic() throws {
        let result = Self.onSmall
        let memory = try #require(result.memory)
        #expect(memory.peakUsedMB > 1600 && memory.peakUsedMB < 1700)
        #expect(memory.budgetMB == 2048)
        let process = try #require(result.processes.first)
        #expect(process.onlyGrows && abs((process.growthPerHourMB ?? 0) - 0.3) < 0.01)
        #expect(process.runs == Self.minutes / 10 * 2)
        // 0.3 MB/h for 720 h = 216 MB over 8640 runs: 0.025 MB a run, which one decimal would show as +0.0.
        let text = CapacityRenderer.text(result)
        #expect(text.contains("RSS 250 MB → 466 MB (peak 466 MB) over 30d0h, +0.025 MB per run (8640 runs); only grows"), "\(text)")
        let top = try #require(result.classCosts.first)
        #expect(top.jobClass == Self.hog && abs(top.costMB - 300) < 30, "hog costs \(top.costMB)")
        let kinds = result.advice.map(\.kind)
        #expect(kinds.contains("concurrency") && kinds.contains("db_pool") && kinds.contains("allocator")
                && kinds.contains("periodic_restart") && kinds.contains("instance_type"))
        #expect(result.advice.first { $0.kind == "allocator" }?.setting == "MALLOC_ARENA_MAX=2")
        #expect(result.advice.first { $0.kind == "periodic_restart" }?.setting == "RuntimeMaxSec=86400")
        // The peak (~1670 MB) needs 2088 MB with 20 % free, and 0.44 vCPU needs more than 24 credits an hour.
        let instance = try #require(result.advice.first { $0.kind == "instance_type" })
        #expect(instance.setting == "t4g.large", "\(instance.verdict) \(instance.arithmetic)")
        #expect(instance.verdict.contains("t4g.small is too small"))
        #expect(result.smallestFits.map(\.instance) == ["t3.large", "t3a.large", "t4g.large"])
        let concurrency = try #require(result.advice.first { $0.kind == "concurrency" })
        #expect(concurrency.arithmetic.joined().contains("MB outside Sidekiq"))
    }

    @Test func withoutAnInstanceItSaysWhatIsMissing() {
        let result = Self.analyze("none")
        #expect(result.cpu?.standard == nil)
        #expect(result.missing.contains { $0.contains("--instance") })
        #expect(!result.smallestFits.isEmpty)
    }
}
