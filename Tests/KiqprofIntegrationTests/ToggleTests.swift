import Foundation
import Testing
import KiqprofCore

/// `kiqprof toggle` against a real redis-server loaded from real Sidekiq snapshots: the dry run writes nothing,
/// `--apply` writes exactly the value sidekiq-scheduler / sidekiq-cron themselves write, and refusals change nothing.
@Suite("toggle: disable and enable schedules")
struct ToggleTests {
    /// One schedule per fixture that starts enabled, with the key and field that hold its state.
    struct Case: Sendable, CustomStringConvertible {
        let fixture: String
        let namespace: String?
        let name: String
        let scheduler: String
        let key: String
        let field: String
        let before: String?
        let scheduleCount: Int
        var description: String { fixture }

        var disabledValue: String { scheduler == "sidekiq-cron" ? "disabled" : #"{"enabled":false}"# }
        var enabledValue: String { scheduler == "sidekiq-cron" ? "enabled" : #"{"enabled":true}"# }
    }

    static let cases = [
        Case(fixture: "S6", namespace: nil, name: "fast_every_30s", scheduler: "sidekiq-scheduler",
             key: "sidekiq-scheduler:states", field: "fast_every_30s", before: nil, scheduleCount: 3),
        Case(fixture: "S7", namespace: nil, name: "fast-every-minute", scheduler: "sidekiq-cron",
             key: "cron_job:fast-every-minute", field: "status", before: "enabled", scheduleCount: 3),
        Case(fixture: "N1", namespace: "mastodon", name: "trends-refresh", scheduler: "sidekiq-cron",
             key: "mastodon:cron_job:trends-refresh", field: "status", before: "enabled", scheduleCount: 2),
    ]

    private static func start(_ testCase: Case) throws -> (RedisServer, [String]) {
        let server = try RedisServer()
        _ = try SnapshotLoader.load(Fixtures.snapshot(testCase.fixture), into: server)
        var connection = ["--redis", server.unixURL]
        if let namespace = testCase.namespace { connection += ["--namespace", namespace] }
        return (server, connection)
    }

    private static func hget(_ server: RedisServer, _ key: String, _ field: String) throws -> String {
        try server.cli("HGET", key, field).trimmingCharacters(in: .newlines)
    }

    /// Commands the server executed since the last CONFIG RESETSTAT, lower-cased, without the observer's own.
    private static func commandsSeen(_ server: RedisServer) throws -> Set<String> {
        let stats = try server.cli("INFO", "commandstats")
        let used = stats.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            guard line.hasPrefix("cmdstat_") else { return nil }
            return String(line.dropFirst("cmdstat_".count).prefix { $0 != ":" })
        }
        return Set(used).subtracting(["info", "config|resetstat"])
    }

    private static let readCommands = Set(RedisCommand.readOnlyCommandNames.map { $0.lowercased() })

    @Test("list shows every schedule with its scheduler, state, key and field", arguments: cases)
    func list(testCase: Case) throws {
        let (server, connection) = try Self.start(testCase)
        defer { server.stop() }
        let result = try Kiqprof.run(["toggle", "list", "--json"] + connection)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let schedules = try result.json()["schedules"] as! [[String: Any]]
        #expect(schedules.count == testCase.scheduleCount)
        let target = try #require(schedules.first { $0["name"] as? String == testCase.name })
        #expect(target["scheduler"] as? String == testCase.scheduler)
        #expect(target["key"] as? String == testCase.key)
        #expect(target["field"] as? String == testCase.field)
        #expect(target["enabled"] as? Bool == true)
        // Each fixture has one schedule disabled by its own scheduler's toggle.
        #expect(schedules.filter { $0["enabled"] as? Bool == false }.count == 1)

        let text = try Kiqprof.run(["toggle", "list"] + connection)
        #expect(text.status == 0)
        #expect(text.stdout.contains(testCase.name) && text.stdout.contains(testCase.key))
    }

    @Test("a dry run prints the exact command and writes nothing", arguments: cases)
    func dryRunWritesNothing(testCase: Case) throws {
        let (server, connection) = try Self.start(testCase)
        defer { server.stop() }
        let before = try server.cli("HGETALL", testCase.key)
        try server.cli("CONFIG", "RESETSTAT")

        let result = try Kiqprof.run(["toggle", "disable", testCase.name, "--json"] + connection)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        #expect(json["status"] as? String == "dry_run")
        #expect(json["applied"] as? Bool == false)
        #expect(json["scheduler"] as? String == testCase.scheduler)
        #expect(json["key"] as? String == testCase.key)
        #expect(json["field"] as? String == testCase.field)
        #expect(json["before"] as? String == testCase.before)
        #expect(json["after"] as? String == testCase.before)
        #expect(json["command"] as? [String] == ["HSET", testCase.key, testCase.field, testCase.disabledValue])
        #expect(json["undo"] as? [String] == ["HSET", testCase.key, testCase.field, testCase.enabledValue])
        let cli = try #require(json["redis_cli"] as? String)
        #expect(cli.hasPrefix("redis-cli -s \(server.socketPath) HSET \(testCase.key) \(testCase.field) "))

        let text = try Kiqprof.run(["toggle", "disable", testCase.name] + connection)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("nothing was changed"))
        #expect(text.stdout.contains(cli))

        #expect(try server.cli("HGETALL", testCase.key) == before)
        let seen = try Self.commandsSeen(server)
        #expect(seen.contains("hget"))
        #expect(seen.isSubset(of: Self.readCommands), "non-read commands: \(seen.subtracting(Self.readCommands))")
    }

    @Test("--apply disables, then enables, with exactly the values the scheduler writes", arguments: cases)
    func applyRoundTrip(testCase: Case) throws {
        let (server, connection) = try Self.start(testCase)
        defer { server.stop() }
        try server.cli("CONFIG", "RESETSTAT")

        let disable = try Kiqprof.run(["toggle", "disable", testCase.name, "--apply", "--json"] + connection)
        #expect(disable.status == 0, "stderr: \(disable.stderr)")
        let json = try disable.json()
        #expect(json["status"] as? String == "applied")
        #expect(json["applied"] as? Bool == true)
        #expect(json["after"] as? String == testCase.disabledValue)
        #expect(try Self.hget(server, testCase.key, testCase.field) == testCase.disabledValue)
        // The one write is the HSET; nothing else but reads was sent.
        #expect(try Self.commandsSeen(server).subtracting(Self.readCommands) == ["hset"])

        let again = try Kiqprof.run(["toggle", "disable", testCase.name, "--json"] + connection)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try again.json()["status"] as? String == "unchanged")
        #expect(try again.json()["command"] as? [String] == [])

        let text = try Kiqprof.run(["toggle", "enable", testCase.name, "--apply"] + connection)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("Undo:"))
        #expect(text.stdout.contains("HSET \(testCase.key) \(testCase.field) "))
        #expect(try Self.hget(server, testCase.key, testCase.field) == testCase.enabledValue)

        let list = try Kiqprof.run(["toggle", "list", "--json"] + connection).json()["schedules"] as! [[String: Any]]
        #expect(list.first { $0["name"] as? String == testCase.name }?["enabled"] as? Bool == true)
    }

    @Test("an unknown name is refused with the closest schedules first, and nothing is written")
    func unknownName() throws {
        let (server, connection) = try Self.start(Self.cases[2])
        defer { server.stop() }
        try server.cli("CONFIG", "RESETSTAT")
        let result = try Kiqprof.run(["toggle", "disable", "trends", "--apply"] + connection)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let refresh = try #require(result.stderr.range(of: "trends-refresh"))
        let cleanup = try #require(result.stderr.range(of: "media-cleanup"))
        #expect(refresh.lowerBound < cleanup.lowerBound, "stderr: \(result.stderr)")
        #expect(try Self.commandsSeen(server).isSubset(of: Self.readCommands))
        #expect(try Self.hget(server, "mastodon:cron_job:trends-refresh", "status") == "enabled")
    }

    @Test("a job class with exactly one schedule names it")
    func className() throws {
        let (server, connection) = try Self.start(Self.cases[2])
        defer { server.stop() }
        let result = try Kiqprof.run(["toggle", "disable", "Scheduler::Trends::RefreshScheduler", "--json"] + connection)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try result.json()["name"] as? String == "trends-refresh")
    }

    @Test("a name both schedulers hold is refused without --scheduler, and --scheduler picks one")
    func ambiguousAcrossSchedulers() throws {
        let (server, connection) = try Self.start(Self.cases[0])
        defer { server.stop() }
        // The same schedule name under sidekiq-cron 1.x too, written as sidekiq-cron 1.x writes it (§12).
        try server.cli("SADD", "cron_jobs", "cron_job:fast_every_30s")
        try server.cli("HSET", "cron_job:fast_every_30s", "name", "fast_every_30s", "klass", "FastJob", "cron", "* * * * *",
                       "status", "enabled", "last_enqueue_time", "")

        let refused = try Kiqprof.run(["toggle", "disable", "fast_every_30s", "--apply"] + connection)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--scheduler"))
        #expect(refused.stderr.contains("sidekiq-scheduler") && refused.stderr.contains("sidekiq-cron"))
        #expect(try Self.hget(server, "cron_job:fast_every_30s", "status") == "enabled")
        #expect(try Self.hget(server, "sidekiq-scheduler:states", "fast_every_30s") == "")

        let cron = try Kiqprof.run(["toggle", "disable", "fast_every_30s", "--scheduler", "sidekiq-cron", "--apply", "--json"] + connection)
        #expect(cron.status == 0, "stderr: \(cron.stderr)")
        #expect(try cron.json()["key"] as? String == "cron_job:fast_every_30s")
        #expect(try Self.hget(server, "cron_job:fast_every_30s", "status") == "disabled")
        #expect(try Self.hget(server, "sidekiq-scheduler:states", "fast_every_30s") == "")

        let scheduler = try Kiqprof.run(["toggle", "disable", "fast_every_30s", "--scheduler", "sidekiq-scheduler", "--json"] + connection)
        #expect(scheduler.status == 0, "stderr: \(scheduler.stderr)")
        #expect(try scheduler.json()["key"] as? String == "sidekiq-scheduler:states")
    }

    @Test("an ACL user that can only read gets a clear error on --apply, and nothing changes")
    func readOnlyUserApply() throws {
        let (server, _) = try Self.start(Self.cases[1])
        defer { server.stop() }
        let acl = try server.cli(
            "ACL", "SETUSER", "kiqprof", "on", ">read-only-pass", "~*", "resetchannels", "-@all", "+@read",
            "+auth", "+select", "+ping", "+info", "+scan", "+sscan", "+zscan", "+hscan")
        #expect(acl.contains("OK"))
        let url = "unix://kiqprof:read-only-pass@\(server.socketPath)?db=0"

        let dryRun = try Kiqprof.run(["toggle", "disable", "fast-every-minute", "--redis", url])
        #expect(dryRun.status == 0, "stderr: \(dryRun.stderr)")
        #expect(dryRun.stdout.contains("--user kiqprof --askpass"))
        #expect(!dryRun.stdout.contains("read-only-pass"))

        let apply = try Kiqprof.run(["toggle", "disable", "fast-every-minute", "--apply", "--redis", url])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("refused HSET cron_job:fast-every-minute"), "stderr: \(apply.stderr)")
        #expect(apply.stderr.contains("NOPERM"))
        #expect(apply.stderr.contains("Nothing was changed"))
        #expect(!apply.stderr.contains("read-only-pass"))
        #expect(try Self.hget(server, "cron_job:fast-every-minute", "status") == "enabled")
    }
}

extension ToggleTests {
    @Test("a connection opened with a write permit refuses every other write before sending it")
    func writePermitIsNarrow() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(
            endpoint: try RedisEndpoint(url: server.unixURL), allowedWrites: [RedisWritePermit("HSET", key: "cron_job:a")])
        #expect(try connection.send(RedisCommand("HSET", "cron_job:a", "status", "disabled")) == .integer(1))
        #expect(throws: RedisError.writeRefused(command: "HSET cron_job:b")) {
            try connection.send(RedisCommand("HSET", "cron_job:b", "status", "disabled"))
        }
        #expect(throws: RedisError.writeRefused(command: "DEL cron_job:a")) { try connection.send(RedisCommand("DEL", "cron_job:a")) }
        #expect(try server.cli("EXISTS", "cron_job:b").trimmingCharacters(in: .newlines) == "0")
        #expect(try server.cli("HGET", "cron_job:a", "status").trimmingCharacters(in: .newlines) == "disabled")
    }
}

extension ToggleTests {
    @Test("--help teaches the Mastodon disable and its undo")
    func help() throws {
        let result = try Kiqprof.run(["toggle", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("kiqprof toggle disable trends_refresh_scheduler"))
        #expect(result.stdout.contains("kiqprof toggle enable trends_refresh_scheduler --apply"))
        #expect(result.stdout.contains(#"'{"enabled":false}'"#))
        let root = try Kiqprof.run(["--help"])
        #expect(root.stdout.contains("toggle"))
    }

    @Test("sidekiq-cron 2.x: a job in a named cron namespace is written under cron_job:<namespace>:<name>")
    func cronV2Namespace() throws {
        let server = try RedisServer()
        defer { server.stop() }
        _ = try SnapshotLoader.load(Fixtures.snapshot("S4"), into: server)
        try server.cli("SADD", "cron_jobs:reports", "cron_job:reports:weekly")
        try server.cli("HSET", "cron_job:reports:weekly", "name", "weekly", "namespace", "reports", "klass", "WeeklyDigestJob",
                       "cron", "0 4 * * 1", "status", "enabled", "last_enqueue_time", "")
        let dry = try Kiqprof.run(["toggle", "disable", "weekly", "--redis", server.unixURL, "--cron-namespace", "reports"])
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("HSET cron_job:reports:weekly status disabled"), "\(dry.stdout)")
        #expect(try Self.hget(server, "cron_job:reports:weekly", "status") == "enabled")
        let applied = try Kiqprof.run(["toggle", "disable", "weekly", "--redis", server.unixURL, "--cron-namespace", "reports", "--apply"])
        #expect(applied.status == 0, "stderr: \(applied.stderr)")
        #expect(try Self.hget(server, "cron_job:reports:weekly", "status") == "disabled")
    }

    @Test("sidekiq-scheduler with a key prefix: the state is written under <prefix>:sidekiq-scheduler:states")
    func schedulerKeyPrefix() throws {
        let server = try RedisServer()
        defer { server.stop() }
        _ = try SnapshotLoader.load(Fixtures.snapshot("S6"), into: server)
        for key in ["schedules", "sidekiq-scheduler:states", "sidekiq-scheduler:next_times", "sidekiq-scheduler:last_times"]
        where try server.cli("EXISTS", key).trimmingCharacters(in: .whitespacesAndNewlines) == "1" {
            try server.cli("RENAME", key, "myapp:" + key)
        }
        let connection = ["--redis", server.unixURL, "--scheduler-prefix", "myapp"]
        let applied = try Kiqprof.run(["toggle", "disable", "fast_every_30s", "--apply"] + connection)
        #expect(applied.status == 0, "stderr: \(applied.stderr)")
        #expect(try Self.hget(server, "myapp:sidekiq-scheduler:states", "fast_every_30s") == #"{"enabled":false}"#)
        #expect(try server.cli("EXISTS", "sidekiq-scheduler:states").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let unprefixed = try Kiqprof.run(["toggle", "disable", "fast_every_30s", "--redis", server.unixURL])
        #expect(unprefixed.status == 1, "without the prefix the schedule is unknown: \(unprefixed.stdout)")
    }
}
