import Foundation

/// Host samples from a Prometheus range query (`/api/v1/query_range`) of node_exporter's raw metrics
/// (peers.md §C.3): `node_cpu_seconds_total` (rates per mode), `node_memory_MemTotal_bytes`,
/// `node_memory_MemAvailable_bytes`, `node_memory_SwapTotal_bytes`, `node_memory_SwapFree_bytes`,
/// `node_load1/5/15` and the `node_pressure_*_seconds_total` counters. Series need their `__name__`.
public enum PrometheusDocument {
    public static func samples(_ bytes: [UInt8], name: String, host: String?) throws -> (samples: [HostSample], unknownMetrics: [String]) {
        guard let root = try JSONDocument.load(bytes, name: name) as? [String: Any] else {
            throw KiqprofError.invalidData(location: name, reason: "not a Prometheus API response")
        }
        if root["status"] as? String == "error" {
            throw KiqprofError.invalidData(location: name, reason: "the query failed: \(root["error"] ?? "unknown error")")
        }
        guard let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw KiqprofError.invalidData(location: name, reason: "not a Prometheus range query: expected data.result")
        }
        var byKey: [String: HostSample] = [:]  // host|t
        var cpuModes: [String: [String: [(Double, Double)]]] = [:]  // host → mode → (t, seconds) summed over CPUs later
        var cpuSeries: [(host: String, mode: String, values: [(Double, Double)])] = []
        var pressure: [(host: String, field: String, values: [(Double, Double)])] = []
        var unknown = Set<String>()
        func sample(_ instance: String, _ t: Double) -> HostSample {
            byKey["\(instance)|\(t)"] ?? HostSample(t: t, host: instance, source: .prometheus)
        }
        for series in result {
            let labels = series["metric"] as? [String: String] ?? [:]
            let metric = labels["__name__"] ?? "?"
            let instance = host ?? labels["instance"].map { String($0.split(separator: ":").first ?? "") } ?? "localhost"
            let values: [(Double, Double)] = (series["values"] as? [[Any]] ?? []).compactMap { pair in
                guard pair.count == 2, let t = JSONDocument.number(pair[0]), let v = JSONDocument.number(pair[1]),
                    v.isFinite else { return nil }
                return (t, v)
            }
            switch metric {
            case "node_cpu_seconds_total":
                cpuSeries.append((instance, labels["mode"] ?? "?", values))
            case "node_pressure_cpu_waiting_seconds_total", "node_pressure_memory_waiting_seconds_total",
                "node_pressure_memory_stalled_seconds_total", "node_pressure_io_waiting_seconds_total",
                    "node_pressure_io_stalled_seconds_total":
                pressure.append((instance, metric, values))
            case "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_memory_SwapTotal_bytes",
                "node_memory_SwapFree_bytes",
                "node_load1", "node_load5", "node_load15":
                for (t, v) in values {
                    var s = sample(instance, t)
                    switch metric {
                    case "node_memory_MemTotal_bytes": s.memTotalKiB = JSONDocument.integer(v / 1024)
                    case "node_memory_MemAvailable_bytes": s.memAvailableKiB = JSONDocument.integer(v / 1024)
                    case "node_memory_SwapTotal_bytes": s.swapTotalKiB = JSONDocument.integer(v / 1024)
                    case "node_memory_SwapFree_bytes": s.swapFreeKiB = JSONDocument.integer(v / 1024)
                    case "node_load1": s.load1 = v
                    case "node_load5": s.load5 = v
                    default: s.load15 = v
                    }
                    byKey["\(instance)|\(t)"] = s
                }
            default:
                unknown.insert(metric)
            }
        }
        // CPU: seconds per mode summed over CPUs, then each interval's share per mode.
        for series in cpuSeries {
            var perTime = cpuModes[series.host]?[series.mode] ?? []
            if perTime.isEmpty { perTime = series.values } else {
                for (index, point) in series.values.enumerated() where index < perTime.count { perTime[index].1 += point.1 }
            }
            cpuModes[series.host, default: [:]][series.mode] = perTime
        }
        for (instance, modes) in cpuModes {
            let times = (modes.values.first ?? []).map(\.0)
            guard times.count >= 2 else { continue }
            for index in 1..<times.count {
                var deltas: [String: Double] = [:]
                for (mode, points) in modes where index < points.count { deltas[mode] = max(0, points[index].1 - points[index - 1].1) }
                let total = deltas.values.reduce(0, +)
                guard total > 0 else { continue }
                var s = sample(instance, times[index])
                func share(_ mode: String) -> Double { (deltas[mode] ?? 0) / total * 100 }
                s.cpuUserPct = share("user") + share("nice")
                s.cpuSystemPct = share("system") + share("irq") + share("softirq")
                s.cpuIowaitPct = share("iowait")
                s.cpuStealPct = share("steal")
                s.cpuIdlePct = share("idle")
                byKey["\(instance)|\(times[index])"] = s
            }
        }
        // Pressure counters: the stalled fraction of each interval, as a percentage like PSI's avg10.
        for series in pressure where series.values.count >= 2 {
            for index in 1..<series.values.count {
                let (t0, v0) = series.values[index - 1], (t1, v1) = series.values[index]
                guard t1 > t0 else { continue }
                let percent = max(0, (v1 - v0) / (t1 - t0) * 100)
                var s = sample(series.host, t1)
                switch series.field {
                case "node_pressure_cpu_waiting_seconds_total": s.psiCPUSomeAvg10 = percent
                case "node_pressure_memory_waiting_seconds_total": s.psiMemorySomeAvg10 = percent
                case "node_pressure_memory_stalled_seconds_total": s.psiMemoryFullAvg10 = percent
                case "node_pressure_io_waiting_seconds_total": s.psiIOSomeAvg10 = percent
                default: s.psiIOFullAvg10 = percent
                }
                byKey["\(series.host)|\(t1)"] = s
            }
        }
        return (byKey.values.sorted { ($0.t, $0.host) < ($1.t, $1.host) }, unknown.sorted())
    }
}
