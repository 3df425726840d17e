/// Text and JSON for `kiqprof toggle`. Values from Redis are sanitised in text (terminal-escape safety).
public enum ToggleRenderer {
    // MARK: list

    public static func listJSON(_ schedules: [PeriodicSchedule], warnings: [String]) -> JSONValue {
        .object([
            ("schedules", .array(schedules.map { schedule in
                .object([
                    ("scheduler", .string(schedule.source.rawValue)), ("name", .string(schedule.name)),
                    ("class", .string(schedule.jobClass)), ("cron", .text(schedule.cron)), ("every", .text(schedule.every)),
                    ("enabled", .bool(schedule.enabled)), ("key", .string(schedule.toggleKey)),
                    ("field", .string(TogglePlan.field(for: schedule))), ("cron_namespace", .text(schedule.cronNamespace)),
                ])
            })),
            ("warnings", .strings(warnings)),
        ])
    }

    public static func listText(_ schedules: [PeriodicSchedule], warnings: [String], endpoint: String) -> String {
        var out = "Schedules at \(endpoint) (\(schedules.count))\n"
        if schedules.isEmpty {
            out += "  none found (sidekiq-scheduler and sidekiq-cron keys are empty;"
                + " check --namespace, --scheduler-prefix and --cron-namespace)\n"
        } else {
            var table = TextTable(headers: ["SCHEDULER", "NAME", "CLASS", "CRON/EVERY", "ENABLED", "KEY", "FIELD"])
            for schedule in schedules {
                table.add([schedule.source.rawValue, schedule.name, schedule.jobClass, schedule.cron ?? schedule.every ?? "?",
                           schedule.enabled ? "yes" : "NO", schedule.toggleKey, TogglePlan.field(for: schedule)])
            }
            out += table.render()
            out += "\nkiqprof toggle disable NAME shows the exact command (nothing is written without --apply).\n"
        }
        out += warningsText(warnings)
        return out
    }

    // MARK: disable / enable

    public static func resultJSON(_ result: ToggleResult, endpoint: RedisEndpoint, warnings: [String]) -> JSONValue {
        let plan = result.plan
        return .object([
            ("status", .string(result.status.rawValue)), ("action", .string(plan.action.rawValue)),
            ("scheduler", .string(plan.schedule.source.rawValue)), ("name", .string(plan.schedule.name)),
            ("class", .string(plan.schedule.jobClass)), ("cron_namespace", .text(plan.schedule.cronNamespace)),
            ("key", .string(plan.key)), ("field", .string(plan.field)),
            ("enabled_before", .bool(plan.schedule.enabled)), ("before", .text(plan.before)), ("after", .text(result.after)),
            ("value", .string(plan.value)), ("applied", .bool(result.status == .applied)),
            ("command", .strings(plan.command)), ("undo", .strings(plan.undo)),
            ("redis_cli", plan.command.isEmpty ? .null : .string(RedisCLICommandLine.render(plan.command, endpoint: endpoint))),
            ("undo_redis_cli", plan.undo.isEmpty ? .null : .string(RedisCLICommandLine.render(plan.undo, endpoint: endpoint))),
            ("warnings", .strings(warnings)),
        ])
    }

    public static func resultText(_ result: ToggleResult, endpoint: RedisEndpoint, warnings: [String]) -> String {
        let plan = result.plan
        let schedule = plan.schedule
        let what = "\(schedule.source.rawValue) schedule '\(clean(schedule.name))' (\(clean(schedule.jobClass)))"
        let state = schedule.enabled ? "enabled" : "disabled"
        var out = ""
        switch result.status {
        case .unchanged:
            out += "The \(what) is already \(state): nothing to do, nothing was changed.\n"
            out += "  key    \(clean(plan.key))\n  field  \(clean(plan.field)) = \(shown(plan.before))\n"
        case .dryRun:
            out += "Would \(plan.action.rawValue) the \(what) at \(endpoint):\n"
            out += "  key    \(clean(plan.key))\n  field  \(clean(plan.field)): \(shown(plan.before)) -> \(clean(plan.value))\n\n"
            out += "  " + cli(plan.command, endpoint) + "\n\n"
            out += "Dry run: nothing was changed. Add --apply to run this command; undo it afterwards with:\n"
            out += "  " + cli(plan.undo, endpoint) + "\n"
        case .applied:
            out += "\(plan.action == .disable ? "Disabled" : "Enabled") the \(what) at \(endpoint):\n"
            out += "  " + cli(plan.command, endpoint) + "\n"
            out += "  read back \(clean(plan.field)) = \(shown(result.after))\n"
            out += schedule.source == .sidekiqScheduler
                ? "Scheduler processes read this at the schedule's next trigger; no restart needed.\n"
                : "Each Sidekiq process's cron poller reads this on its next poll (30 s by default); no restart needed.\n"
            out += "Undo:\n  " + cli(plan.undo, endpoint) + "\n"
            out += "  or: kiqprof toggle \(plan.action.opposite.rawValue) \(ShellWord.quote(schedule.name))"
                + " --scheduler \(schedule.source.rawValue) --apply (with the same connection options)\n"
        }
        out += warningsText(warnings)
        return out
    }

    /// The paste-able command; a control character from Redis becomes `?` here (the JSON keeps the exact argv).
    private static func cli(_ argv: [String], _ endpoint: RedisEndpoint) -> String {
        TextTable.sanitize(RedisCLICommandLine.render(argv, endpoint: endpoint), limit: Int.max)
    }

    private static func shown(_ value: String?) -> String { value.map(clean) ?? "(absent)" }

    private static func clean(_ text: String) -> String { TextTable.sanitize(text, limit: 200) }

    private static func warningsText(_ warnings: [String]) -> String {
        guard !warnings.isEmpty else { return "" }
        return "\nWarnings (\(warnings.count))\n" + warnings.map { "  " + clean($0) + "\n" }.joined()
    }
}
