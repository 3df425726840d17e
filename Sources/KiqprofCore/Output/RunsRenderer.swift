/// Renders `kiqprof runs` as the documented JSON (docs/cli.md) or a table.
public enum RunsRenderer {
    /// - Parameter total: how many runs the window holds; `truncated` says whether `runs` is fewer.
    public static func json(_ runs: [JobRun], total: Int? = nil) -> JSONValue {
        .object([("total", .int(total ?? runs.count)), ("truncated", .bool((total ?? runs.count) > runs.count)),
                 ("runs", .array(runs.map { run in
            .object([
                ("jid", .text(run.jid)), ("class", .string(run.jobClass)), ("queue", .text(run.queue)), ("identity", .text(run.identity)),
                ("host", .text(run.host)), ("pid", .int(run.pid)), ("tid", .text(run.tid)), ("start", .time(run.start)),
                ("end", .time(run.end.estimate)), ("end_min", .time(run.end.earliest)), ("end_max", .time(run.end.latest)),
                ("duration_s", .number(run.duration)), ("outcome", .string(run.outcome.rawValue)),
                ("cause", .text(run.cause?.rawValue)), ("source", .string(run.source.rawValue)),
                ("error_class", .text(run.errorClass)),
            ])
        }))])
    }

    public static func text(_ runs: [JobRun], total: Int? = nil) -> String {
        guard !runs.isEmpty else { return "No runs recorded in this window. Run `kiqprof record` or `kiqprof import sidekiq-log`.\n" }
        var table = TextTable(headers: ["START", "CLASS", "QUEUE", "PROCESS", "DURATION", "±", "OUTCOME", "SOURCE", "JID"],
            rightAligned: [4, 5])
        for run in runs {
            let uncertainty = run.end.isOpen ? "" : DurationExpression.humanize(run.end.uncertainty ?? 0)
            table.add([ISOTimestamp.short(run.start), run.jobClass, run.queue ?? "", run.identity ?? "",
                       run.duration.map(DurationExpression.humanize) ?? "running", uncertainty, run.outcome.rawValue,
                       run.source.rawValue, run.jid ?? ""])
        }
        let total = total ?? runs.count
        let heading = total > runs.count
            ? "\(runs.count) of \(total) runs, newest first (--limit N shows more)\n" : "\(runs.count) runs, newest first\n"
        return heading + table.render()
    }
}
