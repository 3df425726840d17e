/// Where kiqprof connects and which key prefixes it uses, resolved the way Sidekiq and Mastodon do:
/// `--redis URL`, else `SIDEKIQ_REDIS_URL`, else `SIDEKIQ_REDIS_HOST`…, else `REDIS_URL`, else
/// `REDIS_HOST`/`REDIS_PORT`/`REDIS_DB`/`REDIS_USER`/`REDIS_PASSWORD`, else `redis://127.0.0.1:6379/0`
/// (mastodon.md §3). Variables in the real environment win over an `--env-file`, as dotenv does.
public struct ConnectionSettings: Sendable, Equatable {
    public var endpoint: RedisEndpoint
    public var namespace: String
    /// Where the endpoint came from, for messages: `--redis`, `SIDEKIQ_REDIS_URL`, `REDIS_HOST (.env.production)` …
    public var origin: String
    public var notes: [String]

    public static func resolve(
        redisURL: String?, namespace: String?, environment: [String: String], envFile: EnvironmentFile?, envFileName: String? = nil
    ) throws -> ConnectionSettings {
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
        let resolvedNamespace = namespace ?? value("REDIS_NAMESPACE") ?? ""

        if let redisURL {
            return ConnectionSettings(endpoint: try RedisEndpoint(url: redisURL), namespace: resolvedNamespace, origin: "--redis", notes: notes)
        }
        for prefix in ["SIDEKIQ_REDIS_", "REDIS_"] {
            if let url = value(prefix + "URL") {
                return ConnectionSettings(endpoint: try RedisEndpoint(url: url), namespace: resolvedNamespace, origin: from(prefix + "URL"), notes: notes)
            }
            if value(prefix + "SENTINELS") != nil {
                notes.append("\(prefix)SENTINELS is set but kiqprof does not speak Sentinel; pass --redis with the current master's address")
            }
            // Mastodon ignores SIDEKIQ_REDIS_* unless SIDEKIQ_REDIS_HOST is set; the base REDIS_* has defaults.
            if prefix == "SIDEKIQ_REDIS_" && value(prefix + "HOST") == nil { continue }
            if prefix == "REDIS_" && value("REDIS_HOST") == nil && value("REDIS_PORT") == nil && value("REDIS_PASSWORD") == nil
                && value("REDIS_DB") == nil && value("REDIS_USER") == nil
            {
                break
            }
            let host = value(prefix + "HOST") ?? "localhost"
            guard let port = Int(value(prefix + "PORT") ?? "6379"), (1...65535).contains(port) else {
                throw KiqprofError.invalidArgument("\(from(prefix + "PORT")) = '\(value(prefix + "PORT") ?? "")' is not a TCP port")
            }
            guard let db = Int(value(prefix + "DB") ?? "0"), db >= 0 else {
                throw KiqprofError.invalidArgument("\(from(prefix + "DB")) = '\(value(prefix + "DB") ?? "")' is not a database number")
            }
            let endpoint = RedisEndpoint(
                address: .tcp(host: host == "localhost" ? "127.0.0.1" : host, port: port), database: db,
                username: value(prefix + "USER"), password: value(prefix + "PASSWORD"))
            return ConnectionSettings(endpoint: endpoint, namespace: resolvedNamespace, origin: from(prefix + "HOST"), notes: notes)
        }
        return ConnectionSettings(
            endpoint: try RedisEndpoint(url: RedisEndpoint.defaultURL), namespace: resolvedNamespace, origin: "default", notes: notes)
    }
}
