/// Which gem holds a recurring job in Redis: the Redis reader reports it, the store keeps its raw value,
/// periodicity names it as a period's source, and a `ScheduleSwitch` writes to its key.
public enum SchedulerKind: String, Sendable, Equatable, CaseIterable {
    case sidekiqScheduler = "sidekiq-scheduler"
    case sidekiqCron = "sidekiq-cron"
}
