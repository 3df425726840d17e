/// Reads Sidekiq's live state from Redis in two pipelined round trips (plus SSCAN continuations for
/// very large sets). It only ever sends read commands and never performs the clean-up writes that
/// Sidekiq's own `ProcessSet.new` does (sidekiq-layout §5.5).
public final class SidekiqStateReader {
    private let connection: RedisConnection
    public let keyspace: SidekiqKeyspace
    /// sidekiq-cron 2.x namespaces to read besides `default`.
    public let cronNamespaces: [String]

    public init(connection: RedisConnection, keyspace: SidekiqKeyspace, cronNamespaces: [String] = ["default"]) {
        self.connection = connection
        self.keyspace = keyspace
        var namespaces = cronNamespaces
        if !namespaces.contains("default") { namespaces.insert("default", at: 0) }
        self.cronNamespaces = namespaces
    }

    /// What the previous read found per process. Sidekiq rewrites a process's work hash and then its
    /// `beat` in the same heartbeat (every 5–10 s), so while `beat` is unchanged the process and its work
    /// are too: the recorder, polling every second, re-reads only the processes that beat since.
    private struct ProcessReading {
        var beat: [UInt8]
        var process: SidekiqProcess
        /// tid → the raw work value and its decoding, so unchanged entries are not decoded again.
        var work: [String: (raw: [UInt8], job: BusyJob)]
        var warnings: [String]
    }

    private var previous: [String: ProcessReading] = [:]

    /// Reads everything `status` shows. `includeSchedules: false` skips the scheduler hashes (the recorder
    /// reads them once a minute).
    public func readStatus(now: Double, includeSchedules: Bool = true) throws -> SidekiqStatus {
        try poll(now: now, includeSchedules: includeSchedules, extra: []).status
    }

    /// `readStatus`, with `extra` commands riding in the first round trip (the recorder's outcome checks),
    /// so a poll stays at two round trips. Their replies come back in order, errors included.
    /// - Parameter onlyChangedBusy: list in `busy` only the jobs of processes whose heartbeat changed
    ///   (see `SidekiqStatus.changedIdentities`); the recorder needs no more, and copying thousands of
    ///   unchanged jobs every second was most of its CPU.
    public func poll(
        now: Double, includeSchedules: Bool, extra: [RedisCommand], onlyChangedBusy: Bool = false
    ) throws -> (status: SidekiqStatus, extra: [RedisValue]) {
        var warnings: [String] = []
        let ks = keyspace
        let today = ISOTimestamp.utcDate(now)

        // Round trip 1: set members, counters and the scheduler hashes.
        let cronKeys = includeSchedules ? [ks.cronJobsV1] + cronNamespaces.map { ks.cronJobs(namespace: $0) } : []
        let setKeys = [ks.processes, ks.queues] + cronKeys
        var first: [RedisCommand] = setKeys.map { RedisCommand("SSCAN", $0, "0", "COUNT", "1000") }
        let scalarStart = first.count
        first += [
            RedisCommand("GET", ks.stat("processed")), RedisCommand("GET", ks.stat("failed")),
            RedisCommand("GET", ks.stat("processed:" + today)), RedisCommand("GET", ks.stat("failed:" + today)),
            RedisCommand("ZCARD", ks.retry), RedisCommand("ZCARD", ks.schedule), RedisCommand("ZCARD", ks.dead),
        ]
        if includeSchedules {
            first += [
                RedisCommand("HGETALL", ks.schedulerSchedules), RedisCommand("HGETALL", ks.schedulerStates),
                RedisCommand("HGETALL", ks.schedulerNextTimes), RedisCommand("HGETALL", ks.schedulerLastTimes),
            ]
        }
        // One cheap HGET beat per known process rides in the first round trip.
        let known = previous.keys.sorted()
        let probeStart = first.count
        let probes = known.map { RedisCommand("HGET", ks.process($0), "beat") }
        let extraStart = probeStart + probes.count
        let replies = try connection.pipeline(first + probes + extra)
        var unchanged = Set<String>()
        for (offset, identity) in known.enumerated() {
            if case .bulkString(let beat) = replies[probeStart + offset], beat == previous[identity]?.beat { unchanged.insert(identity) }
        }
        var members: [[String]] = []
        for (offset, key) in setKeys.enumerated() {
            members.append(try collectSetMembers(key: key, firstReply: replies[offset], command: first[offset], warnings: &warnings))
        }
        let identities = members[0].sorted()
        let queueNames = members[1].sorted()
        let cronHashKeys = Array(Set(members.dropFirst(2).joined())).sorted()

        func scalar(_ offset: Int) -> RedisValue? {
            // Only the status commands; the extra commands' replies follow them.
            guard scalarStart + offset < probeStart else { return nil }
            return checked(replies[scalarStart + offset], first[scalarStart + offset], &warnings)
        }
        let processed = scalar(0)?.integer, failed = scalar(1)?.integer
        let processedToday = scalar(2)?.integer, failedToday = scalar(3)?.integer
        let retrySize = Int(scalar(4)?.integer ?? 0), scheduleSize = Int(scalar(5)?.integer ?? 0), deadSize = Int(scalar(6)?.integer ?? 0)
        let schedulerConfig = pairs(scalar(7))
        let schedulerStates = Dictionary(pairs(scalar(8)), uniquingKeysWith: { a, _ in a })
        let nextTimes = Dictionary(pairs(scalar(9)).map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
        let lastTimes = Dictionary(pairs(scalar(10)).map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })

        // Round trip 2: every process's hash and work, every queue's length and oldest job, every cron job hash.
        var second: [RedisCommand] = []
        for identity in identities where !unchanged.contains(identity) {
            second.append(RedisCommand("HMGET", ks.process(identity), "info", "busy", "beat", "quiet", "rss", "rtt_us", "concurrency"))
            second.append(RedisCommand("HGETALL", ks.work(identity)))
            second.append(RedisCommand("HGETALL", ks.workers(identity)))
        }
        for name in queueNames {
            second.append(RedisCommand("LLEN", ks.queue(name)))
            second.append(RedisCommand("LINDEX", ks.queue(name), "-1"))
        }
        for hashKey in cronHashKeys { second.append(RedisCommand("HGETALL", ks.key(hashKey))) }
        let more = second.isEmpty ? [] : try connection.pipeline(second)

        var processes: [SidekiqProcess] = []
        var busy: [BusyJob] = []
        var readings: [String: ProcessReading] = [:]
        defer { previous = readings }
        var cursor = 0
        for identity in identities {
            if unchanged.contains(identity), let reading = previous[identity] {
                readings[identity] = reading
                processes.append(reading.process)
                if !onlyChangedBusy { busy += reading.work.values.map(\.job) }
                warnings += reading.warnings
                continue
            }
            var processWarnings: [String] = []
            let hash = checked(more[cursor], second[cursor], &processWarnings)?.array ?? []
            var process = decodeProcess(identity: identity, fields: hash, warnings: &processWarnings)
            let known = previous[identity]?.work ?? [:]
            var work: [String: (raw: [UInt8], job: BusyJob)] = [:]
            for (offset, legacy) in [(1, false), (2, true)] {
                let command = second[cursor + offset]
                let entries = pairs(checked(more[cursor + offset], command, &processWarnings))
                if legacy && !entries.isEmpty { process.usesLegacyWorkersKey = true }
                for (tid, value) in entries {
                    if let cached = known[tid], cached.raw == value {
                        work[tid] = cached
                        continue
                    }
                    do {
                        work[tid] = (value, try BusyJob.decode(identity: identity, tid: tid, value: value))
                    } catch {
                        processWarnings.append("\(command.key ?? "?") field '\(tid)': \(error)")
                    }
                }
            }
            if case .bulkString(let beat)? = hash.count == 7 ? hash[2] : nil {
                readings[identity] = ProcessReading(beat: beat, process: process, work: work, warnings: processWarnings)
            }
            processes.append(process)
            busy += work.values.map(\.job)
            warnings += processWarnings
            cursor += 3
        }
        var queues: [QueueSummary] = []
        for name in queueNames {
            let size = Int(checked(more[cursor], second[cursor], &warnings)?.integer ?? 0)
            var summary = QueueSummary(name: name, size: size, latency: size == 0 ? 0 : nil)
            if case .bulkString(let bytes)? = checked(more[cursor + 1], second[cursor + 1], &warnings) {
                do {
                    let job = try JobPayload.decode(bytes)
                    summary.oldestJid = job.jid
                    summary.oldestClass = job.jobClass
                    if let stamp = job.enqueuedAt ?? job.createdAt { summary.latency = max(0, now - stamp) }
                } catch {
                    warnings.append("\(ks.queue(name)) index -1: \(error)")
                }
            }
            queues.append(summary)
            cursor += 2
        }
        var schedules = PeriodicScheduleDecoder.schedulerSchedules(
            schedules: schedulerConfig, states: schedulerStates, nextTimes: nextTimes, lastTimes: lastTimes,
            statesKey: ks.schedulerStates, warnings: &warnings, schedulesKey: ks.schedulerSchedules)
        for hashKey in cronHashKeys {
            let raw = pairs(checked(more[cursor], second[cursor], &warnings))
            let fields = Dictionary(raw.map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
            if let schedule = PeriodicScheduleDecoder.cronSchedule(hashKey: ks.key(hashKey), fields: fields) { schedules.append(schedule) }
            cursor += 1
        }
        schedules.sort { ($0.source.rawValue, $0.cronNamespace ?? "", $0.name) < ($1.source.rawValue, $1.cronNamespace ?? "", $1.name) }
        busy.sort { ($0.runAt, $0.identity, $0.tid) < ($1.runAt, $1.identity, $1.tid) }

        let extraReplies = Array(replies[extraStart...])
        var status = SidekiqStatus(
            now: now, processed: processed, failed: failed, processedToday: processedToday, failedToday: failedToday,
            retrySize: retrySize, scheduleSize: scheduleSize, deadSize: deadSize, queues: queues, processes: processes,
            busy: busy, schedules: schedules, warnings: warnings)
        if !known.isEmpty { status.changedIdentities = Set(identities).subtracting(unchanged) }
        return (status, extraReplies)
    }

    /// Decodes `HMGET <identity> info busy beat quiet rss rtt_us concurrency`.
    func decodeProcess(identity: String, fields: [RedisValue], warnings: inout [String]) -> SidekiqProcess {
        guard fields.count == 7, case .bulkString(let info) = fields[0] else {
            return SidekiqProcess(identity: identity, state: .gone)
        }
        var process = SidekiqProcess(identity: identity, state: .live)
        info.withUnsafeBytes { buffer in
            do throws(JSONScanError) {
                try JSONScanner.scanObject(buffer) { key, span in
                    if JSONScanner.key(key, is: "hostname") { process.hostname = JSONScanner.string(buffer, span) ?? process.hostname }
                    else if JSONScanner.key(key, is: "pid") {
                        process.pid = JSONScanner.double(buffer, span).map { Int($0) } ?? process.pid
                    }
                    else if JSONScanner.key(key, is: "tag") { process.tag = JSONScanner.string(buffer, span) }
                    else if JSONScanner.key(key, is: "version") { process.version = JSONScanner.string(buffer, span) }
                    else if JSONScanner.key(key, is: "concurrency") {
                        process.concurrency = JSONScanner.double(buffer, span).map { Int($0) }
                    }
                    else if JSONScanner.key(key, is: "started_at") { process.startedAt = JSONScanner.double(buffer, span) }
                    else if JSONScanner.key(key, is: "queues") { process.queues = Self.stringArray(buffer, span) }
                    else if JSONScanner.key(key, is: "labels") { process.labels = Self.stringArray(buffer, span) }
                }
            } catch {
                warnings.append("\(keyspace.process(identity)) field 'info': \(error)")
            }
        }
        process.busy = fields[1].integer.map { Int($0) }
        process.beat = fields[2].string.flatMap(Double.init)
        process.quiet = fields[3].string.map { $0 == "true" }
        process.rssKiB = fields[4].integer.map { Int($0) }
        process.rttMicros = fields[5].integer.map { Int($0) }
        // 8.1.2+ moved concurrency out of info into its own field; prefer the field.
        if let concurrency = fields[6].integer { process.concurrency = Int(concurrency) }
        return process
    }

    private func collectSetMembers(
        key: String, firstReply: RedisValue, command: RedisCommand, warnings: inout [String]
    ) throws -> [String] {
        guard var reply = checked(firstReply, command, &warnings) else { return [] }
        var members: [String] = []
        var seen = Set<String>()
        while true {
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let page = parts[1].array else {
                throw RedisError.unexpectedReply(command: command.errorLabel, expected: "a [cursor, members] pair", got: reply.kindName)
            }
            for member in page.compactMap(\.string) where seen.insert(member).inserted { members.append(member) }
            if next == "0" { return members }
            reply = try connection.send(RedisCommand("SSCAN", key, next, "COUNT", "1000"))
        }
    }

    /// Returns the reply, or nil after recording a warning if it is an error (e.g. WRONGTYPE).
    private func checked(_ reply: RedisValue, _ command: RedisCommand, _ warnings: inout [String]) -> RedisValue? {
        if case .error(let message) = reply {
            warnings.append("\(command.key ?? command.name): \(message) (\(command.name))")
            return nil
        }
        return reply
    }

    /// A flat HGETALL reply as (field, value) pairs, in server order.
    private func pairs(_ reply: RedisValue?) -> [(String, [UInt8])] {
        guard let elements = reply?.array else { return [] }
        var result: [(String, [UInt8])] = []
        result.reserveCapacity(elements.count / 2)
        var index = 0
        while index + 1 < elements.count {
            if let field = elements[index].string, case .bulkString(let value) = elements[index + 1] { result.append((field, value)) }
            index += 2
        }
        return result
    }

    static func stringArray(_ buffer: UnsafeRawBufferPointer, _ span: JSONSpan) -> [String] {
        guard span.kind == .array else { return [] }
        // Re-scan the array as `{"a": [...]}`-free: walk its string elements.
        var result: [String] = []
        var cursor = JSONScanner.Cursor(buffer: buffer)
        cursor.index = span.start + 1
        while cursor.index < span.end {
            cursor.skipWhitespace()
            guard let byte = cursor.peek(), cursor.index < span.end else { break }
            if byte == UInt8(ascii: "\"") {
                guard let element = try? cursor.scanString() else { break }
                if let text = JSONScanner.string(buffer, element) { result.append(text) }
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") {
                cursor.index += 1
            } else {
                guard (try? cursor.scanValue(depth: 1)) != nil else { break }
            }
        }
        return result
    }
}

// Owns a RedisConnection, which one thread uses at a time.
@available(*, unavailable)
extension SidekiqStateReader: Sendable {}
