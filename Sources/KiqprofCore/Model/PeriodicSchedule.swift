/// A recurring job definition held by sidekiq-scheduler or sidekiq-cron: what the Redis reader decodes, the
/// store keeps, periodicity tests starts against, and a toggle or recommendation switches.
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

    /// `toggleKey` defaults to the key of a Redis without a namespace (see `ScheduleSwitch`).
    public init(name: String, jobClass: String, source: Source, cron: String? = nil, every: String? = nil, enabled: Bool = true,
                lastRun: Double? = nil, nextRun: Double? = nil, queue: String? = nil, description: String? = nil,
                cronNamespace: String? = nil, toggleKey: String? = nil) {
        self.name = name
        self.jobClass = jobClass
        self.source = source
        self.cron = cron
        self.every = every
        self.enabled = enabled
        self.lastRun = lastRun
        self.nextRun = nextRun
        self.queue = queue
        self.description = description
        self.cronNamespace = cronNamespace
        self.toggleKey = toggleKey ?? ScheduleSwitch(scheduler: source, name: name, cronNamespace: cronNamespace).key
    }

    /// The period in seconds when it can be read from `every` or a simple cron; nil otherwise.
    public var periodSeconds: Double? {
        if let every {
            let text = every.split(separator: ",").first.map(String.init) ?? every
            if let seconds = try? DurationExpression.parse(String(text.filter { $0 != " " })) { return seconds }
        }
        if let cron { return CronPeriod.period(of: cron) }
        return nil
    }

    /// The switch that turns this schedule off and on, at the key it was found under.
    public var toggle: ScheduleSwitch { ScheduleSwitch(schedule: self) }
}
