/// The one write that turns a schedule off or on, worked out before anything is sent. Pure: no I/O.
///
/// sidekiq-scheduler: `HSET <prefix>sidekiq-scheduler:states NAME {"enabled":false}` (what its Web UI writes;
/// every scheduler process reads it at each trigger). sidekiq-cron: `HSET <cron_job key> status disabled`
/// (what `Job#disable!` writes; every cron poller reads it on its next poll). A redis-namespace is already
/// part of `schedule.toggleKey`.
public struct TogglePlan: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case disable, enable

        public var enables: Bool { self == .enable }
        public var opposite: Action { self == .enable ? .disable : .enable }
    }

    public let schedule: PeriodicSchedule
    public let action: Action
    /// The value of `key`/`field` now; nil when the field is absent (a sidekiq-scheduler schedule never toggled).
    public let before: String?

    public init(schedule: PeriodicSchedule, action: Action, before: String?) {
        self.schedule = schedule
        self.action = action
        self.before = before
    }

    public var key: String { schedule.toggleKey }

    /// The switch's hash field and values, as `ScheduleSwitch` (the one model of them) defines them.
    public var field: String { Self.field(for: schedule) }

    /// What the command writes.
    public var value: String { ScheduleSwitch.value(for: schedule.source, enabled: action.enables) }

    /// True when the schedule is already in the requested state, so nothing is to be written.
    public var isNoOp: Bool { schedule.enabled == action.enables }

    /// Redis argv of the write; empty when there is nothing to do.
    public var command: [String] { isNoOp ? [] : schedule.toggle.command(enabled: action.enables).argv }

    /// Redis argv that puts the schedule back; empty when there is nothing to undo.
    public var undo: [String] { isNoOp ? [] : schedule.toggle.command(enabled: !action.enables).argv }

    /// The only write `--apply` needs a connection to allow.
    public var permit: RedisWritePermit { RedisWritePermit("HSET", key: key) }

    public static func field(for schedule: PeriodicSchedule) -> String {
        ScheduleSwitch.field(scheduler: schedule.source, name: schedule.name)
    }
}
