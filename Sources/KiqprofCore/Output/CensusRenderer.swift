/// Renders `kiqprof census` as the documented JSON (docs/cli.md) or as a table.
public enum CensusRenderer {
    public static func json(_ census: CensusResult) -> JSONValue {
        .object([
            ("now", .time(census.now)),
            ("total", .int(census.totalJobs)),
            ("classes", .array(census.classes.map { summary in
                .object([
                    ("class", .string(summary.jobClass)), ("total", .int(summary.total)), ("by_location", .counts(summary.byLocation)),
                    ("oldest_enqueued_at", .time(summary.oldestEnqueuedAt)),
                    ("oldest_age_s", .number(summary.oldestEnqueuedAt.map { max(0, census.now - $0) })),
                    ("payload_bytes_total", .int(summary.payloadBytesTotal)), ("payload_bytes_max", .int(summary.payloadBytesMax)),
                    ("error_classes", .counts(summary.errorClasses)),
                ])
            })),
            ("unparseable_count", .int(census.unparseableCount)),
            ("unparseable", .array(census.unparseable.map { item in
                .object([("key", .string(item.key)), ("index", .int(item.index)), ("reason", .string(item.reason))])
            })),
            ("warnings", .strings(census.warnings)),
        ])
    }

    public static func text(_ census: CensusResult) -> String {
        var out = "Census at \(ISOTimestamp.short(census.now)): \(census.totalJobs) jobs in \(census.classes.count) classes\n\n"
        var table = TextTable(headers: ["CLASS", "TOTAL", "WHERE", "OLDEST", "BYTES AVG", "BYTES MAX", "ERRORS"], rightAligned: [1, 3, 4,
            5])
        for summary in census.classes {
            let places = summary.byLocation.sorted { ($1.value, $0.key) < ($0.value,
                $1.key) }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let errors = summary.errorClasses.sorted { ($1.value, $0.key) < ($0.value,
                $1.key) }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            table.add([
                summary.jobClass, String(summary.total), places,
                summary.oldestEnqueuedAt.map { DurationExpression.humanize(max(0, census.now - $0)) } ?? "-",
                String(summary.total > 0 ? summary.payloadBytesTotal / summary.total : 0), String(summary.payloadBytesMax), errors,
            ])
        }
        out += census.classes.isEmpty ? "  no jobs in any queue, retry, schedule or dead\n" : table.render()
        if census.unparseableCount > 0 {
            out += "\nUnparseable payloads: \(census.unparseableCount)\n"
            for item in census.unparseable.prefix(10) { out += "  \(TextTable.sanitize(item.key)) index \(item.index): \(item.reason)\n" }
            if census.unparseableCount > 10 { out += "  … \(census.unparseableCount - 10) more (see --json)\n" }
        }
        for warning in census.warnings { out += "warning: \(TextTable.sanitize(warning, limit: 200))\n" }
        return out
    }
}
