import Foundation

/// Gathers what `kiqprof check` judges: Sidekiq's state through the same `RedisTarget` every command uses,
/// then the store's recent facts for the classes that matter now. Never walks a queue: the state reader
/// asks each queue's length and oldest job only. A source that fails becomes a failure line (UNKNOWN), not an error.
public struct CheckSession {
    public var redis: RedisTarget?
    /// The store's path; nil to judge Redis alone (`--no-store`).
    public var storePath: String?
    /// How far back the store's durations go for p95 and the growth trend.
    public var history: Double = 86400
    public var check = HealthCheck()

    public init(redis: RedisTarget?, storePath: String?) {
        self.redis = redis
        self.storePath = storePath
    }

    public func run(now: Double) -> CheckResult {
        check.evaluate(gather(now: now))
    }

    public func gather(now: Double) -> CheckInput {
        var input = CheckInput(now: now)
        if let redis {
            do {
                input.status = try redis.stateReader().readStatus(now: now)
            } catch {
                input.failures.append("Redis \(redis.endpoint): \(error)")
            }
        }
        guard let storePath else { return input }
        guard FileManager.default.fileExists(atPath: storePath) else {
            input.failures.append(
                "store \(storePath) does not exist: is `kiqprof record` writing to this --db? (--no-store judges Redis alone)")
            return input
        }
        do {
            let store = try Store(path: storePath, busyTimeout: 1)
            var classes = Set(input.status?.busy.map(\.jobClass) ?? [])
            let schedules = input.status?.schedules ?? []
            for schedule in schedules where schedule.enabled { classes.insert(schedule.jobClass) }
            var facts = try store.checkFacts(classes: classes, historyFrom: now - history)
            // Redis down: the store's copies of the schedules still say which classes are periodic.
            if input.status == nil || schedules.isEmpty {
                let stored = Set(facts.schedules.filter(\.enabled).map(\.jobClass)).subtracting(classes)
                if !stored.isEmpty {
                    facts.durations.merge(try store.checkFacts(classes: stored, historyFrom: now - history).durations) { a, _ in a }
                }
            }
            input.store = facts
        } catch {
            input.failures.append("\(error)")
        }
        return input
    }
}
