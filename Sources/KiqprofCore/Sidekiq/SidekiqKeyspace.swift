/// Builds Sidekiq's Redis key names, with the redis-namespace prefix (Sidekiq ≤ 6) and sidekiq-scheduler's
/// own key prefix applied. Set members such as queue names and identities are never prefixed
/// (sidekiq-layout §10), so callers pass them through `key(_:)` to address the keys they name.
public struct SidekiqKeyspace: Sendable, Equatable {
    /// The redis-namespace, e.g. `mastodon`; empty for none.
    public let namespace: String
    /// sidekiq-scheduler's `RedisManager.key_prefix` (v4.0.3+); empty for none.
    public let schedulerPrefix: String

    public init(namespace: String = "", schedulerPrefix: String = "") {
        self.namespace = namespace
        self.schedulerPrefix = schedulerPrefix
    }

    private var namespacePrefix: String { namespace.isEmpty ? "" : namespace + ":" }

    /// A key as redis-namespace would write it: `mastodon:queue:default`.
    public func key(_ name: String) -> String { namespacePrefix + name }

    public var processes: String { key("processes") }
    public var queues: String { key("queues") }
    public var retry: String { key("retry") }
    public var schedule: String { key("schedule") }
    public var dead: String { key("dead") }
    public func queue(_ name: String) -> String { key("queue:" + name) }
    public func process(_ identity: String) -> String { key(identity) }
    /// The work hash of 6.4.2+ (`<identity>:work`).
    public func work(_ identity: String) -> String { key(identity + ":work") }
    /// The work hash of Sidekiq ≤ 6.4.1 (`<identity>:workers`), which Debian 12 ships.
    public func workers(_ identity: String) -> String { key(identity + ":workers") }
    public func stat(_ name: String) -> String { key("stat:" + name) }

    /// sidekiq-scheduler keys: a `:` is appended to the prefix unless it already ends in `:` or `.`.
    public func scheduler(_ name: String) -> String {
        if schedulerPrefix.isEmpty { return key(name) }
        let prefix = schedulerPrefix.hasSuffix(":") || schedulerPrefix.hasSuffix(".") ? schedulerPrefix : schedulerPrefix + ":"
        return key(prefix + name)
    }

    public var schedulerSchedules: String { scheduler("schedules") }
    public var schedulerStates: String { scheduler("sidekiq-scheduler:states") }
    public var schedulerNextTimes: String { scheduler("sidekiq-scheduler:next_times") }
    public var schedulerLastTimes: String { scheduler("sidekiq-scheduler:last_times") }

    /// sidekiq-cron 1.x set of job hash names.
    public var cronJobsV1: String { key("cron_jobs") }
    /// sidekiq-cron 2.x set of job hash names for one cron namespace (a grouping, not a Redis prefix).
    public func cronJobs(namespace cronNamespace: String) -> String { key("cron_jobs:" + cronNamespace) }
}
