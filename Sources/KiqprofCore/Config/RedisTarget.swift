/// Everything a command needs to reach Sidekiq's Redis, resolved once: where, how long to wait, which keys.
///
/// The endpoint is resolved the way Sidekiq and Mastodon do: `--redis URL`, else `SIDEKIQ_REDIS_URL`, else
/// `SIDEKIQ_REDIS_HOST`…, else `REDIS_URL`, else `REDIS_HOST`/`REDIS_PORT`/`REDIS_DB`/`REDIS_USER`/`REDIS_PASSWORD`,
/// else `redis://127.0.0.1:6379/0` (mastodon.md §3). Variables in the real environment win over an `--env-file`,
/// as dotenv does.
public struct RedisTarget: Sendable, Equatable {
    public var endpoint: RedisEndpoint
    /// Seconds to wait for Redis to connect or answer.
    public var timeout: Double
    public var keyspace: SidekiqKeyspace
    /// sidekiq-cron 2.x namespaces to read besides `default`.
    public var cronNamespaces: [String]
    /// Where the endpoint came from, for messages: `--redis`, `SIDEKIQ_REDIS_URL`, `REDIS_HOST (.env.production)` …
    public var origin: String
    /// Skipped env-file lines and settings kiqprof cannot honour, for the caller to show.
    public var notes: [String]

    public init(
        endpoint: RedisEndpoint, timeout: Double = 5, keyspace: SidekiqKeyspace = SidekiqKeyspace(), cronNamespaces: [String] = [],
        origin: String = "", notes: [String] = []
    ) {
        self.endpoint = endpoint.resolvingLocalhost()
        self.timeout = timeout
        self.keyspace = keyspace
        self.cronNamespaces = cronNamespaces
        self.origin = origin
        self.notes = notes
    }

    /// A read-only connection, authenticated and on the right database.
    public func open() throws -> RedisConnection {
        try RedisConnection(endpoint: endpoint, timeoutSeconds: timeout)
    }

    /// Reads processes, queues and schedules through a new connection.
    public func stateReader() throws -> SidekiqStateReader {
        SidekiqStateReader(connection: try open(), keyspace: keyspace, cronNamespaces: cronNamespaces)
    }

    public static func resolve(
        redisURL: String?, namespace: String?, schedulerPrefix: String = "", cronNamespaces: [String] = [], timeout: Double = 5,
        environment: [String: String], envFile: EnvironmentFile?, envFileName: String? = nil
    ) throws -> RedisTarget {
        var merged = envFile?.values ?? [:]
        for (key, value) in environment { merged[key] = value }
        func value(_ name: String) -> String? {
            guard let text = merged[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        func from(_ name: String) -> String {
            if environment[name] != nil || envFileName == nil { return name }
            return "\(name) (\(envFileName!))"
        }
        var notes = envFile?.skipped ?? []
        let keyspace = SidekiqKeyspace(namespace: namespace ?? value("REDIS_NAMESPACE") ?? "", schedulerPrefix: schedulerPrefix)
        func target(_ endpoint: RedisEndpoint, origin: String) -> RedisTarget {
            RedisTarget(
                endpoint: endpoint, timeout: timeout, keyspace: keyspace, cronNamespaces: cronNamespaces, origin: origin, notes: notes)
        }

        if let redisURL {
            return target(try RedisEndpoint(url: redisURL), origin: "--redis")
        }
        for prefix in ["SIDEKIQ_REDIS_", "REDIS_"] {
            if let url = value(prefix + "URL") {
                return target(try RedisEndpoint(url: url), origin: from(prefix + "URL"))
            }
            if value(prefix + "SENTINELS") != nil {
                notes.append(
                    "\(prefix)SENTINELS is set but kiqprof does not speak Sentinel; pass --redis with the current master's address")
            }
            // Mastodon ignores SIDEKIQ_REDIS_* unless SIDEKIQ_REDIS_HOST is set; the base REDIS_* has defaults.
            if prefix == "SIDEKIQ_REDIS_" && value(prefix + "HOST") == nil { continue }
            if prefix == "REDIS_" && value("REDIS_HOST") == nil && value("REDIS_PORT") == nil && value("REDIS_PASSWORD") == nil
                && value("REDIS_DB") == nil && value("REDIS_USER") == nil
            {
                break
            }
            guard let port = Int(value(prefix + "PORT") ?? "6379"), (1...65535).contains(port) else {
                throw KiqprofError.invalidArgument("\(from(prefix + "PORT")) = '\(value(prefix + "PORT") ?? "")' is not a TCP port")
            }
            guard let db = Int(value(prefix + "DB") ?? "0"), db >= 0 else {
                throw KiqprofError.invalidArgument("\(from(prefix + "DB")) = '\(value(prefix + "DB") ?? "")' is not a database number")
            }
            let endpoint = RedisEndpoint(
                address: .tcp(host: value(prefix + "HOST") ?? "localhost", port: port), database: db,
                username: value(prefix + "USER"), password: value(prefix + "PASSWORD"))
            return target(endpoint, origin: from(prefix + "HOST"))
        }
        return target(try RedisEndpoint(url: RedisEndpoint.defaultURL), origin: "default")
    }
}
