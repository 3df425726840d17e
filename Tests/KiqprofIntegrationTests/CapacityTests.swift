import Foundation
import Testing

/// `kiqprof capacity` on the bundled incident (samples/incident) with the sample unit and env files
/// (samples/capacity): the acceptance lines of the command.
@Suite("capacity on the bundled incident")
struct CapacityTests {
    static let root = Fixtures.packageRoot
    static let unit = root.appendingPathComponent("samples/capacity/mastodon-sidekiq.service").path
    static let risky = root.appendingPathComponent("samples/capacity/risky.service").path

    func store() throws -> (directory: URL, db: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-capacity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("kiqprof.sqlite").path
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("samples/incident/kiqprof.sqlite").path, toPath: db)
        return (directory, db)
    }

    @Test func onAT4gSmallItPrintsTheCreditVerdictTheHeadroomAndSettingsWithTheirNumbers() throws {
        let (directory, db) = try store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let text = result.stdout
        #expect(text.contains("CPU credits (t4g.small: 2 vCPUs, baseline 20 % per vCPU = 0.4 vCPU"))
        #expect(text.contains("standard mode: the balance never runs out: lowest"))
        #expect(text.contains("unlimited mode:"))
        // 5 minutes at a mean of ~1.3 vCPU: the window cannot drain 576 credits, its mean held all day would.
        #expect(text.contains("a full 576 lasts") && text.contains("the window is 5m09s of a daily budget"))
        #expect(text.contains("Memory (t4g.small: 2048 MB"))
        #expect(text.contains("headroom"))
        #expect(text.contains("sidekiq -c "))
        #expect(text.contains("DB_POOL="))
        #expect(text.contains("MALLOC_ARENA_MAX=2"))
        // Both processes fall back from their peaks by hundreds of MB: no periodic restart, and it says why.
        #expect(text.contains("periodic_restart\n     not needed: RSS grows but also falls back"))
        #expect(text.contains("instance_type: t4g.small\n     t4g.small is the smallest t4g type that held this 5m09s window"))
        #expect(text.contains("kiqprof toggle disable trends_refresh_scheduler"))
        #expect(text.contains("Scheduler::Trends::RefreshScheduler"))
    }

    @Test func theJSONFollowsTheSchema() throws {
        let (directory, db) = try store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        #expect((json["instance"] as? [String: Any])?["max_credits"] as? Int == 576)
        let cpu = try #require(json["cpu"] as? [String: Any])
        let standard = try #require(cpu["standard"] as? [String: Any])
        #expect(standard["runs_out"] as? Bool == false)
        #expect(cpu["start_balance_credits"] as? Int == 576)
        #expect(cpu["cloudwatch_check"] is NSNull && cpu["cloudwatch_check_reason"] is String)
        let memory = try #require(json["memory"] as? [String: Any])
        let peak = try #require(memory["peak_used_mb"] as? Double)
        #expect(peak > 1000 && peak < 2048)
        #expect(memory["budget_mb"] as? Int == 2048)
        let advice = try #require(json["advice"] as? [[String: Any]])
        let kinds = advice.compactMap { $0["kind"] as? String }
        #expect(kinds.contains("concurrency") && kinds.contains("db_pool") && kinds.contains("disable_schedule"))
        #expect(advice.allSatisfy { !($0["arithmetic"] as? [String] ?? []).isEmpty })
        #expect(json["settings"] is NSNull && json["settings_reason"] is String)
        let processes = try #require(json["processes"] as? [[String: Any]])
        #expect(processes.count == 2)
    }

    @Test func theLintFlagsWhatCannotFit() throws {
        let (directory, db) = try store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small", "--unit", Self.risky, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lint = try #require(try result.json()["lint"] as? [[String: Any]])
        let codes = Set(lint.compactMap { $0["code"] as? String })
        #expect(codes.contains("db_pool_below_concurrency") && codes.contains("threads_do_not_fit") && codes.contains("malloc_arenas"))
        let text = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small", "--unit", Self.unit])
        #expect(text.stdout.contains("Configuration\n  threads 25 (mastodon-sidekiq.service ExecStart -c)"))
        #expect(text.stdout.contains("[problem] threads_do_not_fit"))
    }

    @Test func anUnknownInstanceOrMissingFileIsNamed() throws {
        let (directory, db) = try store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let unknown = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.huge"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("t4g.huge") && unknown.stderr.contains("t4g.small"))
        let missing = try Kiqprof.run(["capacity", "--db", db, "--unit", "/nonexistent/sidekiq.service"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/sidekiq.service"))
    }
}
