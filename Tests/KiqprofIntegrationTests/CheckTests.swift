import Foundation
import Testing
@testable import KiqprofCore

/// `kiqprof check` against a live redis-server and a store: one test per plugin state, the perfdata
/// convention, the textfile checked by promtool, and the early warning on a periodic class that grows 25 % a run.
@Suite("check")
struct CheckTests {
    /// `'label'=value[UOM];warn;crit;min;max`, space-separated after the first `|`.
    static func perfdata(_ output: String) -> [String: String] {
        let first = output.split(separator: "\n").first.map(String.init) ?? ""
        guard let bar = first.range(of: " | ") else { return [:] }
        var labels: [String: String] = [:]
        for item in first[bar.upperBound...].split(separator: " ") {
            let parts = item.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { labels[String(parts[0])] = String(parts[1]) }
        }
        return labels
    }

    @Test("OK: a fresh heartbeat, a short queue, a healthy host; exit 0 and perfdata for every check")
    func ok() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq()
        try scenario.store()
        let result = try scenario.check()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("SIDEKIQ OK - "))
        let perf = Self.perfdata(result.stdout)
        for label in ["'heartbeat_age'", "'queue_latency'", "'mem_available'", "'store_age'", "'cpu_saturated'", "'retry_growth'"] {
            #expect(perf[label] != nil, "\(label) missing in \(result.stdout)")
        }
        let pattern = #/^-?[0-9.]+(s|%)?;[0-9.]*:?;[0-9.]*:?;0;(100)?$/#
        for (label, value) in perf { #expect(value.wholeMatch(of: pattern) != nil, "\(label)=\(value)") }
        #expect(perf["'mem_available'"]?.hasSuffix("%;10:;5:;0;100") == true, "lower is worse: \(perf)")
        #expect(perf["'queue_latency'"]?.hasSuffix("s;60;300;0;") == true, "\(perf)")
        let json = try Kiqprof.run(["check", "--json", "--redis", scenario.server.unixURL, "--db", scenario.db]).json()
        #expect(json["state"] as? String == "OK")
        #expect(json["exit_code"] as? Int == 0)
    }

    @Test("WARNING: the oldest queued job waits 2 minutes; --warn/--crit move the thresholds")
    func warning() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq(latency: 120)
        try scenario.store()
        let result = try scenario.check()
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("SIDEKIQ WARNING - queue_latency: queue default"))
        let relaxed = try scenario.check(["--warn", "queue_latency=5m", "--crit", "queue_latency=10m"])
        #expect(relaxed.status == 0, "\(relaxed.stdout)")
        #expect(Self.perfdata(relaxed.stdout)["'queue_latency'"]?.hasSuffix(";300;600;0;") == true)
        let bad = try scenario.check(["--warn", "queue_latncy=5m"])
        #expect(bad.status == 64 && bad.stderr.contains("unknown check"), "\(bad.stderr)")
    }

    @Test("CRITICAL: a heartbeat 2 minutes old, and MemAvailable at 3 %")
    func critical() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq(beatAge: 120)
        try scenario.store(availablePct: 3)
        let result = try scenario.check(["--json"])
        #expect(result.status == 2, "\(result.stdout)")
        let json = try result.json()
        #expect(json["state"] as? String == "CRITICAL")
        let checks = Dictionary(uniqueKeysWithValues: (json["checks"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        #expect(checks["heartbeat_age"]?["state"] as? String == "CRITICAL")
        #expect(checks["mem_available"]?["state"] as? String == "CRITICAL")
        #expect(checks["queue_latency"]?["state"] as? String == "OK")
    }

    @Test("UNKNOWN: Redis refuses the connection, or the store is missing; never 1")
    func unknown() throws {
        let scenario = try CheckScenario()
        try scenario.sidekiq()
        try scenario.store()
        let missingStore = try Kiqprof.run(["check", "--redis", scenario.server.unixURL, "--db", scenario.db + ".missing"])
        #expect(missingStore.status == 3, "\(missingStore.stdout)")
        #expect(missingStore.stdout.hasPrefix("SIDEKIQ UNKNOWN - store ") && missingStore.stdout.contains("does not exist"))
        scenario.server.stop()
        let refused = try scenario.check()
        #expect(refused.status == 3, "\(refused.stdout)")
        #expect(refused.stdout.hasPrefix("SIDEKIQ UNKNOWN - Redis unix://"))
        let tcp = try Kiqprof.run(["check", "--redis", "redis://127.0.0.1:\(try RedisServer.freePort())/0", "--no-store"])
        #expect(tcp.status == 3 && tcp.stdout.contains("refused"), "\(tcp.stdout)")
    }

    @Test("--textfile writes what promtool check metrics accepts, atomically, with the same state")
    func textfile() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq(latency: 120)
        try scenario.store()
        let path = scenario.server.directory.appendingPathComponent("kiqprof.prom").path
        let result = try scenario.check(["--textfile", path])
        #expect(result.status == 1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("kiqprof_check_status 1\n"))
        #expect(text.contains(#"kiqprof_check_state{check="queue_latency"} 1"#))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scenario.server.directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        let lint = try Promtool.run(["check", "metrics"], input: text)
        #expect(lint.status == 0, "promtool: \(lint.output)")
    }

    @Test("the early warning fires on a periodic class whose duration grows 25 % a run")
    func earlyWarning() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq()
        // Every 30 min; 5 min, then +25 % a run: the sixth run takes 15 min, the tenth would outlast the period.
        let period = 1800.0
        var runs: [JobRun] = []
        for index in 0..<6 {
            let start = scenario.now - 6 * period + Double(index) * period
            let duration = 300 * pow(1.25, Double(index))
            runs.append(JobRun(jid: "g\(index)", jobClass: "TrendsRefreshJob", queue: "default", identity: scenario.identity,
                               host: "web-1", pid: 4242, tid: "t", start: start, end: .exact(start + duration), outcome: .ok,
                               source: .poll))
        }
        let schedule = PeriodicSchedule(name: "trends_refresh", jobClass: "TrendsRefreshJob", source: .sidekiqCron, cron: "*/30 * * * *")
        try scenario.store(runs: runs, schedules: [schedule])
        let result = try scenario.check(["--json"])
        #expect(result.status == 1, "\(result.stdout)")
        let json = try result.json()
        let warnings = json["early_warnings"] as! [[String: Any]]
        #expect(warnings.count == 1)
        #expect(warnings.first?["kind"] as? String == "periodic_overlap")
        #expect(warnings.first?["runs_left"] as? Int == 4)
        #expect(abs((warnings.first?["growth_per_run"] as? Double ?? 0) - 1.25) < 0.001)
        let message = warnings.first?["message"] as? String ?? ""
        #expect(message.contains("overlaps its next run in about 4 runs (2 h)"), "\(message)")
        let text = try scenario.check()
        #expect(text.stdout.hasPrefix("SIDEKIQ WARNING - periodic_growth: TrendsRefreshJob"), "\(text.stdout)")

        // The same forecast in incident and report, from the store alone.
        let incident = try Kiqprof.run(["incident", "--db", scenario.db, "--json"]).json()
        let forecasts = incident["early_warnings"] as? [[String: Any]] ?? []
        #expect(forecasts.first { $0["subject"] as? String == "TrendsRefreshJob" }?["runs_left"] as? Int == 4, "\(forecasts)")
        let incidentText = try Kiqprof.run(["incident", "--db", scenario.db])
        #expect(incidentText.stdout.contains("Early warnings\n  - TrendsRefreshJob: duration grows 25 % a run"), "\(incidentText.stdout)")
        let report = try Kiqprof.run(["report", "--db", scenario.db, "--format", "markdown"])
        #expect(report.stdout.contains("### Early warnings\n\n- TrendsRefreshJob: duration grows 25 % a run"), "\(report.stdout)")
    }

    @Test("memory falling 150 MB a minute warns about 25 minutes before exhaustion")
    func memoryForecast() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq()
        // 8 GiB × 45 % ≈ 3686 MB left, falling 150 MB a minute: about 25 min.
        try scenario.store(availablePct: 45, fallMBPerMin: 150)
        let result = try scenario.check()
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("about 25 min to exhaustion at the last 10 min's rate"), "\(result.stdout)")
    }

    @Test("busy jobs: over k × p95, a periodic run past its next run, two runs at once")
    func slowAndPiledUp() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq(busy: [("ExportJob", 700), ("FeedJob", 400), ("FeedJob", 100)])
        var runs: [JobRun] = []
        for index in 0..<10 {
            let start = scenario.now - 20000 + Double(index) * 1000
            runs.append(JobRun(jid: "e\(index)", jobClass: "ExportJob", queue: "default", identity: nil, host: nil, pid: nil, tid: nil,
                               start: start, end: .exact(start + 60), outcome: .ok, source: .poll))
        }
        let schedule = PeriodicSchedule(name: "feed", jobClass: "FeedJob", source: .sidekiqScheduler, every: "5m")
        try scenario.store(runs: runs, schedules: [schedule])
        let json = try scenario.check(["--json"]).json()
        let checks = Dictionary(uniqueKeysWithValues: (json["checks"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        #expect(checks["slow_job"]?["state"] as? String == "CRITICAL", "700 s against a p95 of 60 s is 11.7x")
        #expect(checks["periodic_late"]?["state"] as? String == "WARNING", "400 s of a 5 min period")
        #expect(checks["periodic_overlap"]?["state"] as? String == "WARNING", "two FeedJob runs at once")
        #expect(json["state"] as? String == "CRITICAL")
    }

    @Test("check on each captured Sidekiq snapshot, Redis alone: a valid state and perfdata", arguments: StatusFixtureTests.fixtures)
    func fixtures(fixture: String) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot(fixture), into: server)
        let facts = try Fixtures.facts(fixture)
        var arguments = ["check", "--no-store", "--redis", server.unixURL, "--now", String(capturedAt)]
        if let prefix = facts["namespace_prefix"] as? String, !prefix.isEmpty { arguments += ["--namespace", String(prefix.dropLast())] }
        let result = try Kiqprof.run(arguments)
        #expect((0...2).contains(result.status), "\(result.stdout)\(result.stderr)")
        #expect(Self.perfdata(result.stdout)["'heartbeat_age'"] != nil, "\(result.stdout)")
    }
}
