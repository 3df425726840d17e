/// Reads the schedules of sidekiq-scheduler and sidekiq-cron, resolves a name to the scheduler that really
/// holds it, and (only with `apply`) writes the one HSET that disables or enables it.
///
/// Reading goes through `SidekiqStateReader` on a read-only connection. `apply` opens a second connection
/// that permits nothing but `HSET` on the plan's key, then reads the field back to prove the write landed.
public final class ScheduleToggler {
    private let connection: RedisConnection
    public let keyspace: SidekiqKeyspace
    public let cronNamespaces: [String]

    public init(connection: RedisConnection, keyspace: SidekiqKeyspace, cronNamespaces: [String] = ["default"]) {
        self.connection = connection
        self.keyspace = keyspace
        self.cronNamespaces = cronNamespaces
    }

    /// Every schedule both schedulers hold, sorted by scheduler, cron namespace and name, plus read warnings.
    public func schedules(now: Double) throws -> (schedules: [PeriodicSchedule], warnings: [String]) {
        let status = try SidekiqStateReader(connection: connection, keyspace: keyspace, cronNamespaces: cronNamespaces)
            .readStatus(now: now)
        return (status.schedules, status.warnings)
    }

    /// Resolves `name` and reads the current raw value of the field the write would change.
    public func plan(
        _ action: TogglePlan.Action, name: String, scheduler: PeriodicSchedule.Source?, now: Double
    ) throws -> (plan: TogglePlan, warnings: [String]) {
        let (all, warnings) = try schedules(now: now)
        let schedule = try ScheduleLookup.resolve(name, in: all, scheduler: scheduler)
        let before = try connection.send(RedisCommand("HGET", schedule.toggleKey, TogglePlan.field(for: schedule))).string
        return (TogglePlan(schedule: schedule, action: action, before: before), warnings)
    }

    /// Sends the plan's write on a connection allowed only that write, and verifies it by reading it back.
    /// - Returns: the value read back (equal to `plan.value`).
    public static func apply(_ plan: TogglePlan, endpoint: RedisEndpoint, timeoutSeconds: Double) throws -> String? {
        guard !plan.isNoOp else { return plan.before }
        let writer = try RedisConnection(endpoint: endpoint, timeoutSeconds: timeoutSeconds, allowedWrites: [plan.permit])
        let write = RedisCommand("HSET", arguments: Array(plan.command.dropFirst()))
        if case .error(let message) = try writer.roundTrip(write) {
            throw ToggleError.writeRejected(command: write.errorLabel, reason: message)
        }
        let after = try writer.send(RedisCommand("HGET", plan.key, plan.field)).string
        guard after == plan.value else {
            throw ToggleError.verificationFailed(key: plan.key, field: plan.field, expected: plan.value, found: after)
        }
        return after
    }
}
