/// A recurring job definition held by sidekiq-scheduler or sidekiq-cron.
public struct PeriodicSchedule: Sendable, Equatable {
    public typealias Source = SchedulerKind

    public var name: String
    public var jobClass: String
    public var source: Source
    public var cron: String?
    public var every: String?
    public var enabled: Bool
    public var lastRun: Double?
    public var nextRun: Double?
    public var queue: String?
    public var description: String?
    /// sidekiq-cron 2.x grouping (`default`); nil for 1.x and sidekiq-scheduler.
    public var cronNamespace: String?
    /// The Redis key a toggle writes: the states hash (sidekiq-scheduler) or the job hash (sidekiq-cron).
    public var toggleKey: String

    /// The period in seconds when it can be read from `every` or a simple cron; nil otherwise.
    public var periodSeconds: Double? {
        if let every {
            let text = every.split(separator: ",").first.map(String.init) ?? every
            if let seconds = try? DurationExpression.parse(String(text.filter { $0 != " " })) { return seconds }
        }
        if let cron { return CronPeriod.period(of: cron) }
        return nil
    }
}
