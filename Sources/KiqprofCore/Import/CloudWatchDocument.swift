import Foundation

/// Host samples from `aws cloudwatch get-metric-statistics` and `get-metric-data` JSON (peers.md §C.2).
/// Datapoints may come unsorted and with local offsets; points of one instant are merged into one sample.
public enum CloudWatchDocument {
    /// The metrics kiqprof understands, by label.
    static func apply(_ label: String, _ value: Double, to sample: inout HostSample) -> Bool {
        switch label {
        case "CPUUtilization", "cpu_usage_active": sample.cpuBusyReportedPct = value
        case "cpu_usage_user": sample.cpuUserPct = value
        case "cpu_usage_system": sample.cpuSystemPct = value
        case "cpu_usage_iowait": sample.cpuIowaitPct = value
        case "cpu_usage_steal": sample.cpuStealPct = value
        case "cpu_usage_idle": sample.cpuIdlePct = value
        case "mem_used_percent": sample.memUsedReportedPct = value
        case "CPUCreditBalance": sample.cpuCreditBalance = value
        default: return false
        }
        return true
    }

    public static func samples(_ bytes: [UInt8], name: String, host: String) throws -> (samples: [HostSample], unknownMetrics: [String]) {
        guard let root = try JSONDocument.load(bytes, name: name) as? [String: Any] else {
            throw KiqprofError.invalidData(location: name, reason: "not CloudWatch output: expected a JSON object")
        }
        var points: [(label: String, time: String, value: Double)] = []
        if let datapoints = root["Datapoints"] as? [[String: Any]] {
            let label = root["Label"] as? String ?? "?"
            for point in datapoints {
                guard let time = point["Timestamp"] as? String,
                    let value = JSONDocument.number(point["Average"] ?? point["Maximum"] ?? point["Sum"] ?? point["Minimum"])
                else { continue }
                points.append((label, time, value))
            }
        } else if let results = root["MetricDataResults"] as? [[String: Any]] {
            for result in results {
                let label = result["Label"] as? String ?? result["Id"] as? String ?? "?"
                let times = result["Timestamps"] as? [String] ?? []
                let values = (result["Values"] as? [Any] ?? []).map(JSONDocument.number)
                for (time, value) in zip(times, values) { if let value { points.append((label, time, value)) } }
            }
        } else {
            throw KiqprofError.invalidData(location: name, reason: "not CloudWatch output: expected Datapoints or MetricDataResults")
        }
        var byTime: [Double: HostSample] = [:]
        var unknown = Set<String>()
        for point in points {
            guard let t = TimeExpression.parseISO(point.time) else {
                throw KiqprofError.invalidData(location: name, reason: "timestamp '\(point.time)' is not ISO-8601")
            }
            var sample = byTime[t] ?? HostSample(t: t, host: host, source: .cloudwatch)
            if !apply(point.label, point.value, to: &sample) { unknown.insert(point.label) }
            byTime[t] = sample
        }
        return (byTime.values.sorted { $0.t < $1.t }, unknown.sorted())
    }
}
