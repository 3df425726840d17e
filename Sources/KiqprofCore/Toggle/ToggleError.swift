/// Why `toggle` refused or failed. Every message names the schedule, key or command concerned.
public enum ToggleError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No schedule has that name (or class); `candidates` are the closest names, closest first.
    case unknownSchedule(name: String, scheduler: PeriodicSchedule.Source?, candidates: [PeriodicSchedule])
    /// More than one schedule answers to the name; the user must choose.
    case ambiguousSchedule(name: String, matches: [PeriodicSchedule])
    /// Redis refused the write (an ACL user without write rights, a read-only replica); nothing changed.
    case writeRejected(command: String, reason: String)
    /// The write was accepted but reading the field back gave another value.
    case verificationFailed(key: String, field: String, expected: String, found: String?)

    /// Candidates shown at most; the rest are counted.
    static let shownCandidates = 10

    public var description: String {
        switch self {
        case .unknownSchedule(let name, let scheduler, let candidates):
            let scope = scheduler.map { "\($0.rawValue) schedule" } ?? "schedule"
            var text = "no \(scope) named '\(Self.clean(name))' (nor a job class with exactly one schedule)"
            if candidates.isEmpty {
                text += "; no sidekiq-scheduler or sidekiq-cron schedules were found in this Redis"
                text += " (check --redis, --namespace, --scheduler-prefix and --cron-namespace)"
            } else {
                text += ". Closest schedules:\n" + Self.list(candidates)
            }
            return text
        case .ambiguousSchedule(let name, let matches):
            let hint: String
            if matches.contains(where: { $0.name != name }) {
                hint = "it is their job class; name one schedule instead"
            } else if Set(matches.map(\.source)).count > 1 {
                hint = "pass --scheduler sidekiq-scheduler or --scheduler sidekiq-cron"
            } else {
                hint = "name one by its key (sidekiq-cron 2.x namespaces)"
            }
            return "'\(Self.clean(name))' matches \(matches.count) schedules; \(hint):\n" + Self.list(matches)
        case .writeRejected(let command, let reason):
            return "Redis refused \(command): \(reason). Nothing was changed. "
                + "The --redis user needs write access to that key (e.g. ACL +hset on it), or run the printed redis-cli command as an"
                    + " administrator."
        case .verificationFailed(let key, let field, let expected, let found):
            return "wrote \(key) field '\(Self.clean(field))' but read back \(found.map { "'\(Self.clean($0))'" } ?? "nothing") "
                + "instead of '\(expected)': something else changed it; check the schedule by hand"
        }
    }

    private static func list(_ schedules: [PeriodicSchedule]) -> String {
        var lines = schedules.prefix(shownCandidates).map { schedule in
            "  \(clean(schedule.name))  (\(schedule.source.rawValue), \(clean(schedule.jobClass)), key \(clean(schedule.toggleKey)))"
        }
        if schedules.count > shownCandidates { lines.append("  … and \(schedules.count - shownCandidates) more (kiqprof toggle list)") }
        return lines.joined(separator: "\n")
    }

    /// Names come from Redis: no control characters may reach the terminal.
    private static func clean(_ text: String) -> String { TextTable.sanitize(text, limit: 120) }
}
