/// Renders `kiqprof check`: the monitoring-plugin line (summary, then `|` and perfdata, then one line per
/// check), the JSON form, and the Prometheus textfile-collector form.
public enum CheckRenderer {
    /// `SIDEKIQ WARNING - queue_latency: queue default: … | 'heartbeat_age'=3s;30;60;0; …`, then the long output.
    public static func text(_ result: CheckResult) -> String {
        let state = result.state
        let problems = result.items.filter { $0.state != .ok }.sorted { $0.state > $1.state }
        var summary: [String] = result.failures
        summary += problems.map { "\($0.kind.rawValue): \($0.message)" }
        if summary.isEmpty { summary = ["\(result.items.count) checks OK"] }
        var out = "SIDEKIQ \(state.label) - \(summary.joined(separator: "; "))"
        let perf = perfdata(result)
        if !perf.isEmpty { out += " | " + perf }
        out += "\n"
        for item in result.items {
            out += "[\(item.state.label)] \(item.kind.rawValue): \(item.message)\(limits(item))\n"
        }
        for warning in result.earlyWarnings { out += "[FORECAST] \(warning.message)\n" }
        for note in result.notes { out += "[NOTE] \(note)\n" }
        return out
    }

    static func limits(_ item: CheckResult.Item) -> String {
        var parts: [String] = []
        if let warn = item.warn { parts.append("warn \(item.kind.lowerIsWorse ? "≤" : "≥") \(item.kind.format(warn))") }
        if let crit = item.crit { parts.append("crit \(item.kind.lowerIsWorse ? "≤" : "≥") \(item.kind.format(crit))") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }

    /// `'label'=value[UOM];warn;crit;min;max` per item with a value. Thresholds where lower is worse use the
    /// plugin range `N:` (alert below N); units Nagios does not know are left out.
    public static func perfdata(_ result: CheckResult) -> String {
        result.items.compactMap { item -> String? in
            guard let value = item.value else { return nil }
            let uom: String
            switch item.kind.unit {
            case .seconds: uom = "s"
            case .percent: uom = "%"
            case .count, .ratio, .perHour: uom = ""
            }
            func range(_ threshold: Double?) -> String {
                guard let threshold else { return "" }
                return PrometheusText.number(rounded(threshold)) + (item.kind.lowerIsWorse ? ":" : "")
            }
            let maximum = item.kind.unit == .percent ? "100" : ""
            let measured = PrometheusText.number(rounded(value))
            return "'\(item.kind.rawValue)'=\(measured)\(uom);\(range(item.warn));\(range(item.crit));0;\(maximum)"
        }.joined(separator: " ")
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    public static func json(_ result: CheckResult) -> JSONValue {
        .object([
            ("now", .time(result.now)),
            ("state", .string(result.state.label)),
            ("exit_code", .int(Int(result.state.exitCode))),
            ("failures", .strings(result.failures)),
            ("checks", .array(result.items.map { item in
                .object([
                    ("name", .string(item.kind.rawValue)), ("state", .string(item.state.label)), ("value", .number(item.value)),
                    ("unit", .string(item.kind.unit.rawValue)), ("warn", .number(item.warn)), ("crit", .number(item.crit)),
                    ("lower_is_worse", .bool(item.kind.lowerIsWorse)), ("message", .string(item.message)),
                ])
            })),
            ("early_warnings", .array(result.earlyWarnings.map(IncidentRenderer.earlyWarningJSON))),
            ("notes", .strings(result.notes)),
            ("perfdata", .string(perfdata(result))),
        ])
    }

    /// The node_exporter textfile-collector form: one state and one value per check, the overall state and
    /// when it ran. node_exporter adds its own labels; these are kiqprof's.
    public static func textfile(_ result: CheckResult) -> String {
        var out = PrometheusText()
        out.family("kiqprof_check_status", .gauge, "Overall kiqprof check state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
        out.sample("kiqprof_check_status", [], Double(result.state.rawValue))
        out.family("kiqprof_check_state", .gauge, "State of one kiqprof check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
        for item in result.items { out.sample("kiqprof_check_state", [("check", item.kind.rawValue)], Double(item.state.rawValue)) }
        out.family("kiqprof_check_value", .gauge, "Measured value of one kiqprof check, in the unit its 'unit' label names.")
        for item in result.items {
            guard let value = item.value else { continue }
            out.sample("kiqprof_check_value", [("check", item.kind.rawValue), ("unit", item.kind.unit.rawValue)], value)
        }
        out.family("kiqprof_check_source_failures", .gauge, "Sources kiqprof check could not read (Redis, the store).")
        out.sample("kiqprof_check_source_failures", [], Double(result.failures.count))
        out.family("kiqprof_early_warning_seconds_left", .gauge, "Seconds until a forecast problem happens at the current rate.")
        for warning in result.earlyWarnings {
            out.sample("kiqprof_early_warning_seconds_left", [("kind", warning.kind.rawValue), ("subject", warning.subject)],
                       warning.secondsLeft)
        }
        out.family("kiqprof_check_last_run_timestamp_seconds", .gauge, "When kiqprof check last ran (Unix seconds).")
        out.sample("kiqprof_check_last_run_timestamp_seconds", [], result.now.rounded())
        return out.text
    }
}
