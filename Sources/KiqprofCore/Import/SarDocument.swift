import Foundation

/// Host samples from sysstat's `sadf -j` output (peers.md §C.1): CPU (`-u`, `-u ALL`), memory (`-r`, `-S`),
/// load (`-q`) and pressure (`-q PSI`), for sysstat's `"tz"` and older `"utc": 1` timestamp forms.
public enum SarDocument {
    /// Parses the document; `defaultTimeZoneOffset` (seconds) applies to timestamps that are not UTC.
    public static func samples(_ bytes: [UInt8], name: String, host: String?, localOffset: Int?) throws -> [HostSample] {
        guard let root = try JSONDocument.load(bytes, name: name) as? [String: Any], let sysstat = root["sysstat"] as? [String: Any],
            let hosts = sysstat["hosts"] as? [[String: Any]]
        else { throw KiqprofError.invalidData(location: name, reason: "not sadf -j output: expected {\"sysstat\": {\"hosts\": [...]}}") }
        var samples: [HostSample] = []
        for entry in hosts {
            let nodename = host ?? (entry["nodename"] as? String) ?? "localhost"
            let cpus = (entry["number-of-cpus"] as? NSNumber)?.intValue
            for record in entry["statistics"] as? [[String: Any]] ?? [] {
                guard let stamp = record["timestamp"] as? [String: Any],
                      let t = try time(stamp, name: name, localOffset: localOffset) else { continue }
                var sample = HostSample(t: t, host: nodename, source: .sar)
                sample.cpuCount = cpus
                if let all = (record["cpu-load"] as? [[String: Any]])?.first(where: { ($0["cpu"] as? String) == "all"
                    || ($0["cpu"] as? String) == "-1" }) {
                    let user = JSONDocument.number(all["user"] ?? all["usr"]) ?? 0
                    let nice = JSONDocument.number(all["nice"]) ?? 0
                    let system = (JSONDocument.number(all["system"] ?? all["sys"]) ?? 0) + (JSONDocument.number(all["irq"]) ?? 0)
                        + (JSONDocument.number(all["soft"]) ?? 0)
                    sample.cpuUserPct = user + nice
                    sample.cpuSystemPct = system
                    sample.cpuIowaitPct = JSONDocument.number(all["iowait"])
                    sample.cpuStealPct = JSONDocument.number(all["steal"])
                    sample.cpuIdlePct = JSONDocument.number(all["idle"])
                }
                if let memory = record["memory"] as? [String: Any] {
                    if let available = JSONDocument.number(memory["avail"]), let used = JSONDocument.number(memory["memused"]) {
                        sample.memAvailableKiB = JSONDocument.integer(available)
                        sample.memTotalKiB = JSONDocument.integer(available + used)
                    }
                    sample.memUsedReportedPct = JSONDocument.number(memory["memused-percent"])
                    if let free = JSONDocument.number(memory["swpfree"]), let used = JSONDocument.number(memory["swpused"]) {
                        sample.swapFreeKiB = JSONDocument.integer(free)
                        sample.swapTotalKiB = JSONDocument.integer(free + used)
                    }
                }
                if let queue = record["queue"] as? [String: Any] {
                    sample.load1 = JSONDocument.number(queue["ldavg-1"])
                    sample.load5 = JSONDocument.number(queue["ldavg-5"])
                    sample.load15 = JSONDocument.number(queue["ldavg-15"])
                }
                if let psi = record["psi"] as? [String: Any] {
                    let cpu = psi["psi-cpu"] as? [String: Any], io = psi["psi-io"] as? [String: Any],
                        memory = psi["psi-mem"] as? [String: Any]
                    sample.psiCPUSomeAvg10 = JSONDocument.number(cpu?["some_avg10"])
                    sample.psiIOSomeAvg10 = JSONDocument.number(io?["some_avg10"])
                    sample.psiIOFullAvg10 = JSONDocument.number(io?["full_avg10"])
                    sample.psiMemorySomeAvg10 = JSONDocument.number(memory?["some_avg10"])
                    sample.psiMemoryFullAvg10 = JSONDocument.number(memory?["full_avg10"])
                }
                samples.append(sample)
            }
        }
        return samples
    }

    /// The boots sar recorded (`LINUX RESTART`, in `"restarts": [{"boot": {date, time, …}}]`), per host.
    public static func restarts(_ bytes: [UInt8], name: String, host: String?, localOffset: Int?) throws -> [(t: Double, host: String)] {
        guard let root = try JSONDocument.load(bytes, name: name) as? [String: Any], let sysstat = root["sysstat"] as? [String: Any],
            let hosts = sysstat["hosts"] as? [[String: Any]] else { return [] }
        var boots: [(t: Double, host: String)] = []
        for entry in hosts {
            let nodename = host ?? (entry["nodename"] as? String) ?? "localhost"
            for restart in entry["restarts"] as? [[String: Any]] ?? [] {
                guard let boot = restart["boot"] as? [String: Any],
                      let t = try time(boot, name: name, localOffset: localOffset) else { continue }
                boots.append((t, nodename))
            }
        }
        return boots
    }

    /// A record's `{"date", "time", "tz"|"utc"}` as epoch seconds; nil when it has none.
    private static func time(_ stamp: [String: Any], name: String, localOffset: Int?) throws -> Double? {
        guard let date = stamp["date"] as? String, let time = stamp["time"] as? String else { return nil }
        let isUTC = (stamp["tz"] as? String) == "UTC" || (stamp["utc"] as? NSNumber)?.intValue == 1
        let text = "\(date)T\(time)" + (isUTC ? "Z" : "")
        guard var t = TimeExpression.parseISO(isUTC ? text : text + "Z") else {
            throw KiqprofError.invalidData(location: name, reason: "timestamp '\(date) \(time)' is not YYYY-MM-DD HH:MM:SS")
        }
        if !isUTC {
            // sadf -t/-T print local time; without an offset given, use this machine's.
            t -= Double(localOffset ?? TimeZone.current.secondsFromGMT())
        }
        return t
    }
}
