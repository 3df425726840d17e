import ArgumentParser
import Foundation
import KiqprofCore

/// How to reach Sidekiq's Redis; shared by every command that reads Redis.
struct RedisOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Redis URL: redis://[user:pass@]host:port/db or unix:///path/redis.sock?db=N.",
        discussion: "Default: $SIDEKIQ_REDIS_URL, else $REDIS_URL, else redis://127.0.0.1:6379/0. "
            + "rediss:// is refused (hiredis 0.14 has no TLS).",
        valueName: "url"))
    var redis: String?

    @Option(name: .customLong("env-file"), help: ArgumentHelp(
        "Read Redis settings from a Mastodon .env.production (REDIS_URL, REDIS_HOST, SIDEKIQ_REDIS_*, REDIS_NAMESPACE).",
        valueName: "path"))
    var envFile: String?

    @Option(name: .long, help: ArgumentHelp("redis-namespace prefix used by Sidekiq <= 6 (default: $REDIS_NAMESPACE).", valueName: "ns"))
    var namespace: String?

    @Option(name: .customLong("scheduler-prefix"), help: ArgumentHelp(
        "sidekiq-scheduler key prefix (SidekiqScheduler::RedisManager.key_prefix), if your app sets one.", valueName: "prefix"))
    var schedulerPrefix: String = ""

    @Option(name: .customLong("cron-namespace"), help: ArgumentHelp(
        "sidekiq-cron 2.x namespace to read besides 'default' (repeatable).", valueName: "name"))
    var cronNamespaces: [String] = []

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for Redis to connect or answer.", valueName: "seconds"))
    var timeout: Double = 5

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    /// Whether the user pointed kiqprof at a Redis, for commands where Redis is optional.
    var isGiven: Bool { redis != nil || envFile != nil }

    /// Resolves the endpoint, keyspace and timeout, printing notes (skipped env-file lines, Sentinel) to stderr.
    func target() throws -> RedisTarget {
        let file = try envFile.map { try EnvironmentFile(path: $0) }
        let target = try RedisTarget.resolve(
            redisURL: redis, namespace: namespace, schedulerPrefix: schedulerPrefix, cronNamespaces: cronNamespaces, timeout: timeout,
            environment: ProcessInfo.processInfo.environment, envFile: file, envFileName: envFile)
        for note in target.notes { Diagnostics.warn(note) }
        return target
    }
}
