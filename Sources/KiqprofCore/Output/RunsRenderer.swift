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
                ("cpu_s", .number(run.cpu?.seconds)), ("cpu_s_min", .number(run.cpu?.minSeconds)),
                ("cpu_s_max", .number(run.cpu?.maxSeconds)), ("cpu_share", .number(run.cpuShare)),
                ("cpu_mapping", .text(run.cpu?.mapping.rawValue)), ("cpu_note", .text(cpuNote(run)?.rawValue)),
            ])
        }))])
    }

    /// Why a run has no measured CPU: its stored note, and `log` for a log's run whatever the row says.
    static func cpuNote(_ run: JobRun) -> RunCPUNote? {
        guard run.cpu == nil else { return nil }
        return run.source == .log ? .log : run.cpuNote
    }

    /// The CPU columns' cells: CPU-seconds and cores kept busy (1 = a whole core); why not, where not measured.
    static func cpuCells(_ run: JobRun) -> [String] {
        guard let cpu = run.cpu else { return [cpuNote(run).map { $0 == .log ? "-" : $0.rawValue } ?? "-", ""] }
        return [NumberText.compact(cpu.seconds) + "s", run.cpuShare.map { NumberText.fixed($0, places: 2) } ?? ""]
    }

    public static func text(_ runs: [JobRun], total: Int? = nil) -> String {
        guard !runs.isEmpty else { return "No runs recorded in this window. Run `kiqprof record` or `kiqprof import sidekiq-log`.\n" }
        // The CPU columns only where some run listed was measured: a log's listing stays as it was.
        let measured = runs.contains { $0.cpu != nil }
        var table = TextTable(headers: ["START", "CLASS", "QUEUE", "PROCESS", "DURATION", "±"] + (measured ? ["CPU", "CORES"] : [])
                                  + ["OUTCOME", "SOURCE", "JID"],
            rightAligned: measured ? [4, 5, 6, 7] : [4, 5])
        for run in runs {
            let uncertainty = run.end.isOpen ? "" : DurationExpression.humanize(run.end.uncertainty ?? 0)
            table.add([ISOTimestamp.short(run.start), run.jobClass, run.queue ?? "", run.identity ?? "",
                       run.duration.map(DurationExpression.humanize) ?? "running", uncertainty] + (measured ? cpuCells(run) : [])
                      + [run.outcome.rawValue, run.source.rawValue, run.jid ?? ""])
        }
        let total = total ?? runs.count
        let heading = total > runs.count
            ? "\(runs.count) of \(total) runs, newest first (--limit N shows more)\n" : "\(runs.count) runs, newest first\n"
        return heading + table.render()
    }
}
