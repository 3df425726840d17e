/// How to switch one recurring job off, and on again, in the Redis of the gem that really holds it
/// (sidekiq-layout.md §11–§12). Pure: it builds commands and never sends them.
///
/// - sidekiq-scheduler: `HSET [ns:][prefix:]sidekiq-scheduler:states NAME '{"enabled":false}'` (or `true`).
///   Every scheduler process reads that hash at every trigger, and it wins over the YAML's `enabled`,
///   so the switch survives restarts and upgrades.
/// - sidekiq-cron: `HSET [ns:]cron_job:NAME status disabled` (1.x) or `[ns:]cron_job:CRONNS:NAME` (2.x),
///   and `enabled` to undo; every poller reads the field on its next poll.
///
/// `ns` is the redis-namespace (Sidekiq ≤ 6); hash fields and values are never prefixed. HSET creates a
/// missing hash, so a caller about to run a command should first check with `read` that the job exists.
///
///     let off = ScheduleSwitch(scheduler: .sidekiqScheduler, name: "trends_refresh_scheduler")
///     off.disable.shell  // redis-cli HSET sidekiq-scheduler:states trends_refresh_scheduler '{"enabled":false}'
public struct ScheduleSwitch: Sendable, Equatable {
    /// One Redis command as argv, plus its shell rendering.
    public struct Command: Sendable, Equatable {
        /// The command name then its arguments, exactly as sent: `["HSET", key, field, value]`.
        public let argv: [String]

        public init(argv: [String]) { self.argv = argv }

        /// The command for `RedisConnection`; it is a write (except `read`), so the connection must allow writes.
        public var redisCommand: RedisCommand { RedisCommand(argv[0], arguments: Array(argv.dropFirst())) }

        /// A `redis-cli` line ready to paste into a POSIX shell, arguments quoted only where needed.
        public var shell: String { shell(connectionOptions: []) }

        /// The same with `redis-cli` connection options in front, e.g. `["-h", "10.0.0.5", "-n", "1"]`.
        public func shell(connectionOptions: [String]) -> String {
            ShellWord.line(["redis-cli"] + connectionOptions + argv)
        }
    }

    public let scheduler: SchedulerKind
    /// The schedule name as the gem knows it (`trends_refresh_scheduler`).
    public let name: String
    /// The Redis key the switch writes: the states hash (sidekiq-scheduler) or the job's hash (sidekiq-cron).
    public let key: String

    /// Builds the switch from what the user or the config says.
    /// - Parameters:
    ///   - redisNamespace: the redis-namespace (`REDIS_NAMESPACE`, `--namespace`); nil or empty for none.
    ///   - schedulerKeyPrefix: sidekiq-scheduler's `RedisManager.key_prefix`; ignored for sidekiq-cron.
    ///   - cronNamespace: sidekiq-cron 2.x job namespace (usually `default`); nil for 1.x. Ignored for sidekiq-scheduler.
    public init(
        scheduler: SchedulerKind, name: String, redisNamespace: String? = nil, schedulerKeyPrefix: String? = nil,
        cronNamespace: String? = nil
    ) {
        let keyspace = SidekiqKeyspace(namespace: redisNamespace ?? "", schedulerPrefix: schedulerKeyPrefix ?? "")
        self.scheduler = scheduler
        self.name = name
        switch scheduler {
        case .sidekiqScheduler:
            key = keyspace.schedulerStates
        case .sidekiqCron:
            if let cronNamespace, !cronNamespace.isEmpty {
                key = keyspace.key("cron_job:\(cronNamespace):\(name)")
            } else {
                key = keyspace.key("cron_job:" + name)
            }
        }
    }

    /// Builds the switch for a schedule whose state key is known (read from Redis, or kept in the store).
    public init(scheduler: SchedulerKind, name: String, key: String) {
        self.scheduler = scheduler
        self.name = name
        self.key = key
    }

    /// Builds the switch for a schedule read from Redis, using the key it was found under.
    public init(schedule: PeriodicSchedule) {
        scheduler = schedule.source
        name = schedule.name
        key = schedule.toggleKey
    }

    /// The gem's name as users know it: `sidekiq-scheduler` or `sidekiq-cron`.
    public var schedulerName: String { scheduler.rawValue }

    /// The command that stops the schedule from enqueueing.
    public var disable: Command { command(enabled: false) }

    /// The command that lets it enqueue again (the undo of `disable`).
    public var enable: Command { command(enabled: true) }

    public func command(enabled: Bool) -> Command {
        Command(argv: ["HSET", key, field, Self.value(for: scheduler, enabled: enabled)])
    }

    /// The hash field that holds the switch: sidekiq-scheduler keeps one states hash with a field per
    /// schedule; sidekiq-cron a `status` field in each job's hash.
    public var field: String { Self.field(scheduler: scheduler, name: name) }

    public static func field(scheduler: SchedulerKind, name: String) -> String {
        scheduler == .sidekiqScheduler ? name : "status"
    }

    /// What the field holds when the schedule is on or off.
    public static func value(for scheduler: SchedulerKind, enabled: Bool) -> String {
        switch scheduler {
        case .sidekiqScheduler: return enabled ? #"{"enabled":true}"# : #"{"enabled":false}"#
        case .sidekiqCron: return enabled ? "enabled" : "disabled"
        }
    }

    /// A read-only command for the current state: the `{"enabled":…}` JSON or nil (never toggled, so enabled
    /// unless the config says otherwise) for sidekiq-scheduler; `enabled`, `disabled` or nil (no such job) for sidekiq-cron.
    public var read: Command { Command(argv: ["HGET", key, field]) }

    /// The same switch in the Sidekiq Web UI, e.g. `Sidekiq Web → Recurring jobs → NAME → Disable`
    /// (Mastodon mounts Sidekiq Web at /sidekiq for roles with view_devops).
    public func webUI(enabled: Bool) -> String {
        let tab = scheduler == .sidekiqScheduler ? "Recurring jobs" : "Cron"
        return "Sidekiq Web → \(tab) → \(name) → \(enabled ? "Enable" : "Disable")"
    }
}
