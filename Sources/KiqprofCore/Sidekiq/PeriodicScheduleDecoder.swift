/// Turns the hashes of sidekiq-scheduler (§11) and sidekiq-cron (§12) into `PeriodicSchedule`s. Pure: no I/O.
public enum PeriodicScheduleDecoder {
    /// sidekiq-scheduler: `schedules` (name → config JSON), `sidekiq-scheduler:states` (name → `{"enabled":…}`),
    /// and the next/last time hashes. A state in Redis wins over the config's `enabled`, which wins over true.
    public static func schedulerSchedules(
        schedules: [(String, [UInt8])], states: [String: [UInt8]], nextTimes: [String: String], lastTimes: [String: String],
        statesKey: String, warnings: inout [String], schedulesKey: String
    ) -> [PeriodicSchedule] {
        var result: [PeriodicSchedule] = []
        for (name, config) in schedules {
            var jobClass: String?
            var cron: String?
            var every: String?
            var queue: String?
            var description: String?
            var configEnabled: Bool?
            let valid: Bool = config.withUnsafeBytes { buffer in
                do throws(JSONScanError) {
                    try JSONScanner.scanObject(buffer) { key, span in
                        if JSONScanner.key(key, is: "class") { jobClass = JSONScanner.string(buffer, span) }
                        else if JSONScanner.key(key, is: "cron") { cron = Self.timeSpec(buffer, span) }
                        else if JSONScanner.key(key, is: "every") { every = Self.timeSpec(buffer, span) }
                        else if JSONScanner.key(key, is: "interval") { every = every ?? Self.timeSpec(buffer, span) }
                        else if JSONScanner.key(key, is: "queue") { queue = JSONScanner.string(buffer, span) }
                        else if JSONScanner.key(key, is: "description") { description = JSONScanner.string(buffer, span) }
                        else if JSONScanner.key(key, is: "enabled"), span.kind == .bool { configEnabled = span.boolValue }
                    }
                    return true
                } catch {
                    warnings.append("\(schedulesKey) field '\(name)': \(error)")
                    return false
                }
            }
            guard valid else { continue }
            var enabled = configEnabled ?? true
            if let state = states[name] {
                state.withUnsafeBytes { buffer in
                    do throws(JSONScanError) {
                        try JSONScanner.scanObject(buffer) { key, span in
                            if JSONScanner.key(key, is: "enabled"), span.kind == .bool { enabled = span.boolValue }
                        }
                    } catch {
                        warnings.append("\(statesKey) field '\(name)': \(error)")
                    }
                }
            }
            result.append(PeriodicSchedule(
                name: name, jobClass: jobClass ?? "?", source: .sidekiqScheduler, cron: cron, every: every, enabled: enabled,
                lastRun: lastTimes[name].flatMap(SidekiqTime.parseRubyTime), nextRun: nextTimes[name].flatMap(SidekiqTime.parseRubyTime),
                queue: queue, description: description, cronNamespace: nil, toggleKey: statesKey))
        }
        return result
    }

    /// sidekiq-cron 1.x and 2.x job hash (`cron_job:<name>` or `cron_job:<ns>:<name>`).
    /// sidekiq-cron keeps no next-run time in Redis, so `nextRun` stays nil.
    public static func cronSchedule(hashKey: String, fields: [String: String]) -> PeriodicSchedule? {
        guard let name = fields["name"], !name.isEmpty else { return nil }
        let namespace = fields["namespace"].flatMap { $0.isEmpty ? nil : $0 }
        var queue: String?
        if let message = fields["message"] {
            let bytes = Array(message.utf8)
            bytes.withUnsafeBytes { buffer in
                try? JSONScanner.scanObject(buffer) { key, span in
                    if JSONScanner.key(key, is: "queue") { queue = JSONScanner.string(buffer, span) }
                }
            }
        }
        let lastRun = fields["last_enqueue_time"].flatMap(SidekiqTime.parseRubyTime)
        return PeriodicSchedule(
            name: name, jobClass: fields["klass"] ?? fields["class"] ?? "?", source: .sidekiqCron, cron: fields["cron"], every: nil,
            enabled: fields["status"] != "disabled", lastRun: lastRun, nextRun: nil, queue: queue,
            description: fields["description"].flatMap { $0.isEmpty ? nil : $0 }, cronNamespace: namespace, toggleKey: hashKey)
    }

    /// `every`/`cron` may be a string or an array like `["30s", {"first_in": "5s"}]`: take its first string.
    private static func timeSpec(_ buffer: UnsafeRawBufferPointer, _ span: JSONSpan) -> String? {
        if span.kind == .string { return JSONScanner.string(buffer, span) }
        if span.kind == .array {
            let inner = UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end])
            if let open = inner.firstIndex(of: UInt8(ascii: "\"")), let close = inner[(open + 1)...].firstIndex(of: UInt8(ascii: "\"")) {
                return String(decoding: inner[(open + 1)..<close], as: UTF8.self)
            }
        }
        return nil
    }
}
