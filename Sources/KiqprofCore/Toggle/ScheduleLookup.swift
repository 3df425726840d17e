/// Finds the one schedule a user means by NAME. Pure: no I/O.
///
/// Order: an exact schedule name; a sidekiq-cron job key (to pick between 2.x namespaces); an exact job
/// class that has exactly one schedule. Nothing fuzzy is ever accepted, since the result is written to
/// production Redis: a near miss is refused with the closest names listed instead.
public enum ScheduleLookup {
    public static func resolve(
        _ query: String, in schedules: [PeriodicSchedule], scheduler: PeriodicSchedule.Source? = nil
    ) throws(ToggleError) -> PeriodicSchedule {
        let pool = scheduler.map { wanted in schedules.filter { $0.source == wanted } } ?? schedules
        let byName = pool.filter { $0.name == query }
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 { throw .ambiguousSchedule(name: query, matches: byName) }
        let byKey = pool.filter { $0.source == .sidekiqCron && $0.toggleKey == query }
        if byKey.count == 1 { return byKey[0] }
        let byClass = pool.filter { $0.jobClass == query }
        if byClass.count == 1 { return byClass[0] }
        if byClass.count > 1 { throw .ambiguousSchedule(name: query, matches: byClass) }
        // With --scheduler, still show the other scheduler's schedules: that is often the mistake.
        throw .unknownSchedule(name: query, scheduler: scheduler, candidates: candidates(for: query, in: schedules))
    }

    /// All schedules, closest to `query` first (by name or class; a substring counts as close).
    public static func candidates(for query: String, in schedules: [PeriodicSchedule]) -> [PeriodicSchedule] {
        let wanted = query.lowercased()
        func distance(_ schedule: PeriodicSchedule) -> Int {
            [schedule.name, schedule.jobClass].map { text -> Int in
                let candidate = text.lowercased()
                if candidate == wanted { return 0 }
                if candidate.contains(wanted) || wanted.contains(candidate) { return 1 }
                return 2 + editDistance(Array(wanted), Array(candidate))
            }.min() ?? Int.max
        }
        return schedules.map { ($0, distance($0)) }
            .sorted { ($0.1, $0.0.name, $0.0.source.rawValue) < ($1.1, $1.0.name, $1.0.source.rawValue) }
            .map(\.0)
    }

    /// Levenshtein distance; names are short, so the two-row table is cheap.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
