/// Host samples from a CSV of `timestamp,metric,value[,host]` rows. A header row is optional. Timestamps
/// are ISO-8601 or epoch seconds; metric names are the store's column names (README lists them).
public enum HostMetricsCSV {
    public static var metrics: [String: WritableKeyPath<HostSample, Double?>] { [
        "cpu_busy_pct": \.cpuBusyReportedPct, "cpu_user_pct": \.cpuUserPct, "cpu_system_pct": \.cpuSystemPct,
        "cpu_iowait_pct": \.cpuIowaitPct, "cpu_steal_pct": \.cpuStealPct, "cpu_idle_pct": \.cpuIdlePct,
            "mem_used_pct": \.memUsedReportedPct,
        "load1": \.load1, "load5": \.load5, "load15": \.load15, "psi_cpu_some_avg10": \.psiCPUSomeAvg10,
        "psi_memory_some_avg10": \.psiMemorySomeAvg10, "psi_memory_full_avg10": \.psiMemoryFullAvg10,
        "psi_io_some_avg10": \.psiIOSomeAvg10, "psi_io_full_avg10": \.psiIOFullAvg10, "cpu_credit_balance": \.cpuCreditBalance,
    ] }
    public static var kibMetrics: [String: WritableKeyPath<HostSample, Int?>] { [
        "mem_total_kib": \.memTotalKiB, "mem_available_kib": \.memAvailableKiB, "swap_total_kib": \.swapTotalKiB,
            "swap_free_kib": \.swapFreeKiB,
    ] }

    /// Parses the rows; a row it cannot read is reported through `skip(line, reason)` and skipped.
    public static func samples(_ text: String, host defaultHost: String, now: Double, skip: (Int, String) -> Void) -> [HostSample] {
        var byKey: [String: HostSample] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            if offset == 0, fields.first?.lowercased() == "timestamp" { continue }
            guard fields.count == 3 || fields.count == 4 else { skip(offset + 1, "expected timestamp,metric,value[,host]"); continue }
            guard let t = try? TimeExpression.parse(fields[0], now: now) else { skip(offset + 1,
                "'\(fields[0])' is not a timestamp"); continue }
            guard let value = Double(fields[2]), value.isFinite else { skip(offset + 1, "'\(fields[2])' is not a number"); continue }
            let host = fields.count == 4 && !fields[3].isEmpty ? fields[3] : defaultHost
            var sample = byKey["\(host)|\(t)"] ?? HostSample(t: t, host: host, source: .csv)
            if let path = metrics[fields[1]] {
                sample[keyPath: path] = value
            } else if let path = kibMetrics[fields[1]] {
                sample[keyPath: path] = Int(value)
            } else {
                skip(offset + 1, "unknown metric '\(fields[1])'")
                continue
            }
            byKey["\(host)|\(t)"] = sample
        }
        return byKey.values.sorted { ($0.t, $0.host) < ($1.t, $1.host) }
    }
}
