/// The settings that size Sidekiq, as a systemd unit and a Mastodon env file give them, each with where it came
/// from. The unit's `Environment=` wins over the env file, as dotenv never overwrites a variable already set;
/// `-c` on `ExecStart=` wins over `SIDEKIQ_CONCURRENCY` (which Mastodon's config/sidekiq.yml reads, default 5).
public struct SidekiqSettings: Sendable, Equatable {
    /// A setting's value and origin (`mastodon-sidekiq.service ExecStart -c`, `.env.production`).
    public struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
        public var value: Value
        public var origin: String

        public init(_ value: Value, origin: String) {
            self.value = value
            self.origin = origin
        }
    }

    public var concurrency: Setting<Int>?
    /// `SIDEKIQ_CONCURRENCY` when `-c` overrides it, to say the two differ.
    public var concurrencyOverridden: Setting<Int>?
    public var dbPool: Setting<Int>?
    public var maxThreads: Setting<Int>?
    public var mallocArenaMax: Setting<Int>?
    /// `LD_PRELOAD` naming libjemalloc.
    public var jemalloc: Setting<Bool>?
    public var runtimeMaxSeconds: Setting<Double>?
    public var memoryMaxMB: Setting<Double>?
    /// Values that are not numbers, and lines the parsers skipped, each with its position.
    public var notes: [String] = []

    public init() {}

    public var isEmpty: Bool { concurrency == nil && dbPool == nil && maxThreads == nil && mallocArenaMax == nil && jemalloc == nil }

    public static func resolve(unit: SystemdUnitFile?, unitName: String?, env: EnvironmentFile?, envName: String?) -> SidekiqSettings {
        var settings = SidekiqSettings()
        let unitLabel = unitName ?? "unit"
        let envLabel = envName ?? "env file"
        settings.notes = (unit?.skipped ?? []) + (env?.skipped ?? [])
        func lookup(_ name: String) -> (String, String)? {
            if let value = unit?.environment[name] { return (value, "\(unitLabel) Environment=\(name)") }
            if let value = env?.values[name] { return (value, "\(envLabel) \(name)") }
            return nil
        }
        func integer(_ name: String) -> Setting<Int>? {
            guard let (text, origin) = lookup(name) else { return nil }
            guard let value = Int(text.trimmingWhitespace()), value >= 0 else {
                settings.notes.append("\(origin): '\(text)' is not a whole number; ignored")
                return nil
            }
            return Setting(value, origin: origin)
        }
        let fromEnv = integer("SIDEKIQ_CONCURRENCY")
        if let flag = unit?.concurrencyFlag {
            settings.concurrency = Setting(flag, origin: "\(unitLabel) ExecStart -c")
            if let fromEnv, fromEnv.value != flag { settings.concurrencyOverridden = fromEnv }
        } else if let fromEnv {
            settings.concurrency = fromEnv
        } else if unit != nil || env != nil {
            settings.concurrency = Setting(5, origin: "Mastodon's config/sidekiq.yml default (no -c, no SIDEKIQ_CONCURRENCY)")
        }
        settings.dbPool = integer("DB_POOL")
        settings.maxThreads = integer("MAX_THREADS")
        settings.mallocArenaMax = integer("MALLOC_ARENA_MAX")
        if let (preload, origin) = lookup("LD_PRELOAD") {
            settings.jemalloc = Setting(preload.contains("jemalloc"), origin: origin)
        }
        if let seconds = unit?.runtimeMaxSeconds { settings.runtimeMaxSeconds = Setting(seconds, origin: "\(unitLabel) RuntimeMaxSec=") }
        if let memory = unit?.memoryMaxMB { settings.memoryMaxMB = Setting(memory, origin: "\(unitLabel) MemoryMax=") }
        return settings
    }
}
