import Foundation
import KiqprofCore
import Testing

/// The configuration lint on the sample unit and env files (samples/capacity) and on hand-written ones.
@Suite("capacity: the Sidekiq settings lint")
struct SettingsLintTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/capacity")

    func unit(_ name: String) throws -> SystemdUnitFile { try SystemdUnitFile(path: Self.samples.appendingPathComponent(name).path) }
    func env() throws -> EnvironmentFile { try EnvironmentFile(path: Self.samples.appendingPathComponent("env.production").path) }
    func codes(_ findings: [SettingsLint.Finding], _ severity: String? = nil) -> Set<String> {
        Set(findings.filter { severity == nil || $0.severity == severity }.map(\.code))
    }

    @Test func mastodonsOwnUnitIsReadAndItsThreadsAreTooManyFor2GiB() throws {
        let dist = try unit("mastodon-sidekiq.service")
        #expect(dist.concurrencyFlag == 25)
        #expect(dist.environment["DB_POOL"] == "25" && dist.environment["LD_PRELOAD"] == "libjemalloc.so")
        let settings = SidekiqSettings.resolve(unit: dist, unitName: "mastodon-sidekiq.service", env: nil, envName: nil)
        #expect(settings.concurrency?.value == 25 && settings.concurrency?.origin == "mastodon-sidekiq.service ExecStart -c")
        #expect(settings.dbPool?.value == 25 && settings.mallocArenaMax?.value == 2 && settings.jemalloc?.value == true)
        let findings = SettingsLint.lint(settings, processes: 1, recordedConcurrency: nil, budget: nil, memoryMB: 2048)
        #expect(!codes(findings).contains("db_pool_below_concurrency"))
        #expect(codes(findings, "warning").contains("threads_do_not_fit"), "25 threads on 2 GiB: \(findings)")
        #expect(codes(findings, "note").contains("malloc_arenas"), "MALLOC_ARENA_MAX does nothing under jemalloc")
    }

    @Test func aRaisedThreadCountWithThePoolLeftBehindIsAProblem() throws {
        let risky = try unit("risky.service")
        #expect(risky.concurrencyFlag == 40, "--concurrency=40 on a continuation line")
        #expect(risky.memoryMaxMB == 1536)
        let settings = SidekiqSettings.resolve(unit: risky, unitName: "risky.service", env: nil, envName: nil)
        let findings = SettingsLint.lint(settings, processes: 2, recordedConcurrency: 25, budget: nil, memoryMB: 4096)
        let pool = try #require(findings.first { $0.code == "db_pool_below_concurrency" })
        #expect(pool.severity == "problem")
        #expect(pool.message.contains("DB_POOL 10") && pool.message.contains("40 threads") && pool.message.contains("30 threads wait"))
        #expect(codes(findings, "warning").contains("malloc_arenas"))
        #expect(codes(findings, "note").contains("concurrency_differs_from_recorded"))
    }

    @Test func theUnitWinsOverTheEnvFileAndMinusCOverSidekiqConcurrency() throws {
        let settings = SidekiqSettings.resolve(unit: try unit("mastodon-sidekiq.service"), unitName: "unit", env: try env(),
                                               envName: ".env.production")
        #expect(settings.dbPool?.value == 25 && settings.dbPool?.origin == "unit Environment=DB_POOL")
        #expect(settings.maxThreads?.value == 5 && settings.maxThreads?.origin == ".env.production MAX_THREADS")
        #expect(settings.concurrencyOverridden?.value == 10)
        let findings = SettingsLint.lint(settings, processes: 1, recordedConcurrency: nil, budget: nil, memoryMB: nil)
        #expect(codes(findings, "note").contains("concurrency_overridden"))
    }

    @Test func theEnvFileAloneHasTenThreadsAndFiveConnections() throws {
        let settings = SidekiqSettings.resolve(unit: nil, unitName: nil, env: try env(), envName: ".env.production")
        #expect(settings.concurrency?.value == 10 && settings.concurrency?.origin == ".env.production SIDEKIQ_CONCURRENCY")
        let findings = SettingsLint.lint(settings, processes: 1, recordedConcurrency: nil, budget: nil, memoryMB: nil)
        #expect(codes(findings, "problem") == ["db_pool_below_concurrency"])
        // Without DB_POOL, Mastodon before 4.3 falls back to MAX_THREADS.
        let noPool = SidekiqSettings.resolve(unit: nil, unitName: nil, env: EnvironmentFile.parse(
            "SIDEKIQ_CONCURRENCY=10\nMAX_THREADS=5\nDB_POOL=lots\n", name: "e"), envName: "e")
        let fallback = SettingsLint.lint(noPool, processes: 1, recordedConcurrency: nil, budget: nil, memoryMB: nil)
        #expect(codes(fallback, "warning").contains("db_pool_unset"))
        #expect(fallback.contains { $0.code == "unreadable" && $0.message.contains("DB_POOL") && $0.message.contains("'lots'") })
    }

    @Test func measuredCostsDecideWhetherTheThreadsFit() {
        var settings = SidekiqSettings()
        settings.concurrency = .init(25, origin: "unit ExecStart -c")
        settings.dbPool = .init(25, origin: "unit Environment=DB_POOL")
        let heaviest = CapacityAnalysis.ClassCost(jobClass: "Hog", runs: 10, memAttribMB: 400, rssGrowthMedianMB: nil,
                                                  rssGrowthMaxMB: nil, costMB: 400, basis: "joint attribution")
        // 80 % of 2048 = 1638.4 − 400 outside = 1238.4; − 2 × 200 base − 400 = 438.4 → 1 + 438.4 / 20 = 22 runs.
        let budget = CapacityAnalysis.Budget(memoryMB: 2048, headroomFraction: 0.2, outsideSidekiqMB: 400, processes: 2,
                                             baseRSSMB: 200, heaviest: heaviest, typicalRunMB: 20)
        #expect(budget.runsAtOnce == 22)
        let findings = SettingsLint.lint(settings, processes: 2, recordedConcurrency: nil, budget: budget, memoryMB: 2048)
        let fit = findings.first { $0.code == "threads_do_not_fit" }
        #expect(fit?.severity == "problem")
        #expect(fit?.message.contains("25 threads × 2 processes = 50 runs at once") == true)
        #expect(fit?.message.contains("fit 22") == true)
        #expect(codes(findings, "warning").contains("malloc_arenas"))
    }

    @Test func unitSyntaxQuotesTimeSpansAndBadLines() {
        let unit = SystemdUnitFile.parse("""
            [Service]
            Environment="A=1 2" B=3
            ExecStart=-/usr/bin/bundle exec sidekiq -c12 -q default
            RuntimeMaxSec=6h 30min
            this is not a key
            [Install]
            Environment=IGNORED=1
            """, name: "u.service")
        #expect(unit.environment == ["A": "1 2", "B": "3"])
        #expect(unit.execStart.first == "/usr/bin/bundle" && unit.concurrencyFlag == 12)
        #expect(unit.runtimeMaxSeconds == 23400)
        #expect(unit.skipped == ["u.service:5: expected Key=value"])
    }
}
