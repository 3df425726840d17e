/// Which gem holds a recurring job in Redis. The same type the Redis reader reports in
/// `PeriodicSchedule.source`, so a schedule found in Redis feeds `ScheduleSwitch` directly.
public typealias SchedulerKind = PeriodicSchedule.Source
