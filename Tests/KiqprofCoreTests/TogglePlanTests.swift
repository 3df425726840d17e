import Testing
@testable import KiqprofCore

/// The pure half of `toggle`: which schedule a name means, the write and its undo, the redis-cli line.
@Suite struct TogglePlanTests {
    static func schedule(
        _ name: String, _ jobClass: String, _ source: PeriodicSchedule.Source, enabled: Bool = true, key: String? = nil
    ) -> PeriodicSchedule {
        PeriodicSchedule(
            name: name, jobClass: jobClass, source: source, cron: "* * * * *", every: nil, enabled: enabled, lastRun: nil,
            nextRun: nil, queue: nil, description: nil, cronNamespace: nil,
            toggleKey: key ?? (source == .sidekiqCron ? "cron_job:\(name)" : "sidekiq-scheduler:states"))
    }

    static let schedules = [
        schedule("trends_refresh_scheduler", "Scheduler::Trends::RefreshScheduler", .sidekiqScheduler),
        schedule("media_cleanup_scheduler", "Scheduler::MediaCleanupScheduler", .sidekiqScheduler),
        schedule("media_cleanup_scheduler", "Scheduler::MediaCleanupScheduler", .sidekiqCron),
        schedule("weekly", "WeeklyJob", .sidekiqCron, key: "cron_job:reports:weekly"),
        schedule("weekly", "WeeklyJob", .sidekiqCron, key: "cron_job:default:weekly"),
    ]

    @Test func exactNameThenClassThenRefusal() throws {
        #expect(try ScheduleLookup.resolve("trends_refresh_scheduler", in: Self.schedules).source == .sidekiqScheduler)
        #expect(try ScheduleLookup.resolve("Scheduler::Trends::RefreshScheduler", in: Self.schedules).name == "trends_refresh_scheduler")
        #expect(try ScheduleLookup.resolve("media_cleanup_scheduler", in: Self.schedules, scheduler: .sidekiqCron).toggleKey
            == "cron_job:media_cleanup_scheduler")
        #expect(try ScheduleLookup.resolve("cron_job:reports:weekly", in: Self.schedules).toggleKey == "cron_job:reports:weekly")
        #expect(throws: ToggleError.ambiguousSchedule(name: "media_cleanup_scheduler", matches: [Self.schedules[1], Self.schedules[2]])) {
            try ScheduleLookup.resolve("media_cleanup_scheduler", in: Self.schedules)
        }
        // A near miss is never taken: a write to production must name its schedule exactly.
        #expect(throws: ToggleError.self) { try ScheduleLookup.resolve("Trends_Refresh_Scheduler", in: Self.schedules) }
        #expect(throws: ToggleError.self) { try ScheduleLookup.resolve("weekly", in: Self.schedules) }
    }

    @Test func candidatesClosestFirst() {
        let names = ScheduleLookup.candidates(for: "trends", in: Self.schedules).map(\.name)
        #expect(names.first == "trends_refresh_scheduler")
        #expect(ScheduleLookup.candidates(for: "weekyl", in: Self.schedules).first?.name == "weekly")
        #expect(ScheduleLookup.editDistance(Array("kitten"), Array("sitting")) == 3)
    }

    @Test func schedulerAndCronWritesAndUndo() {
        let scheduler = TogglePlan(schedule: Self.schedules[0], action: .disable, before: nil)
        #expect(scheduler.command == ["HSET", "sidekiq-scheduler:states", "trends_refresh_scheduler", #"{"enabled":false}"#])
        #expect(scheduler.undo == ["HSET", "sidekiq-scheduler:states", "trends_refresh_scheduler", #"{"enabled":true}"#])
        let cron = TogglePlan(schedule: Self.schedules[2], action: .disable, before: "enabled")
        #expect(cron.command == ["HSET", "cron_job:media_cleanup_scheduler", "status", "disabled"])
        #expect(cron.undo == ["HSET", "cron_job:media_cleanup_scheduler", "status", "enabled"])
        let already = TogglePlan(schedule: Self.schedule("x", "X", .sidekiqCron, enabled: false), action: .disable, before: "disabled")
        #expect(already.isNoOp && already.command.isEmpty && already.undo.isEmpty)
        #expect(TogglePlan(schedule: Self.schedules[3], action: .enable, before: "enabled").isNoOp)
    }

    @Test func writePermitIsOneCommandOnOneKey() {
        let permit = RedisWritePermit("hset", key: "cron_job:a")
        #expect(permit.permits(RedisCommand("HSET", "cron_job:a", "status", "disabled")))
        #expect(!permit.permits(RedisCommand("HSET", "cron_job:b", "status", "disabled")))
        #expect(!permit.permits(RedisCommand("DEL", "cron_job:a")))
    }

    @Test func redisCLILineAddressesTheSameServerWithoutThePassword() throws {
        let argv = ["HSET", "mastodon:sidekiq-scheduler:states", "trends_refresh_scheduler", #"{"enabled":false}"#]
        #expect(RedisCLICommandLine.render(argv, endpoint: try RedisEndpoint(url: "unix:///run/redis/redis.sock?db=0"))
            == #"redis-cli -s /run/redis/redis.sock HSET mastodon:sidekiq-scheduler:states trends_refresh_scheduler '{"enabled":false}'"#)
        let remote = try RedisEndpoint(url: "redis://ops:s3cret@10.0.0.5:6380/2")
        let line = RedisCLICommandLine.render(["HSET", "cron_job:it's", "status", "enabled"], endpoint: remote)
        #expect(line == #"redis-cli -h 10.0.0.5 -p 6380 -n 2 --user ops --askpass HSET 'cron_job:it'\''s' status enabled"#)
        #expect(!line.contains("s3cret"))
        #expect(ShellWord.quote("") == "''")
        #expect(ShellWord.quote("it's") == #"'it'\''s'"#)
        #expect(ShellWord.line(["redis-cli", "HSET", "cron_job:a b", "status", "disabled"])
                == "redis-cli HSET 'cron_job:a b' status disabled")
    }
}
