/// `kiqprof import metrics`: Sidekiq 7.x/8.x execution metrics from Redis into per-class, per-minute rows.
/// Keys are found with bounded `SCAN … MATCH j|*` (never KEYS); hashes and histograms are read pipelined.
/// 8.x ten-minute rollups are used only for windows with no one-minute hash (they hold the same counts).
public struct MetricsImporter {
    public typealias Row = ClassMinuteMetric

    public let keyspace: SidekiqKeyspace

    public init(keyspace: SidekiqKeyspace) {
        self.keyspace = keyspace
    }

    public func read(connection: RedisConnection) throws -> (rows: [Row], hashes: Int) {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send(RedisCommand("SCAN", cursor, "MATCH", keyspace.key("j|*"), "COUNT", "1000", keyIndex: nil))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let page = parts[1].array else {
                throw RedisError.unexpectedReply(command: "SCAN", expected: "a [cursor, keys] pair", got: reply.kindName)
            }
            keys += page.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        let parsed = keys.compactMap { key -> (String, SidekiqMetricKey)? in
            SidekiqMetricKey(hashKey: String(key.dropFirst(keyspace.key("").count))).map { (key, $0) }
        }.sorted { $0.1.start < $1.1.start }
        let replies = try connection.pipeline(parsed.map { RedisCommand("HGETALL", $0.0) })
        let minuteWindows = Set(parsed.filter { $0.1.seconds == 60 }.map { Int($0.1.start) / 600 })
        var rows: [String: Row] = [:]
        for ((_, key), reply) in zip(parsed, replies) {
            if key.seconds == 600 && minuteWindows.contains(Int(key.start) / 600) { continue }
            let elements = reply.array ?? []
            var index = 0
            while index + 1 < elements.count {
                defer { index += 2 }
                guard let field = elements[index].string, let value = elements[index + 1].integer,
                    let bar = field.lastIndex(of: "|") else { continue }
                let jobClass = String(field[..<bar])
                let id = "\(jobClass)|\(key.start)"
                var row = rows[id] ?? Row(minute: key.start, seconds: key.seconds, jobClass: jobClass, processed: 0, failed: 0, totalMs: 0)
                switch field[field.index(after: bar)...] {
                case "p": row.processed += Int(value)
                case "f": row.failed += Int(value)
                case "ms": row.totalMs += Int(value)
                default: break
                }
                rows[id] = row
            }
        }
        // Histograms of the one-minute rows, pipelined.
        let minuteRows = rows.values.filter { $0.seconds == 60 }.sorted { ($0.minute, $0.jobClass) < ($1.minute, $1.jobClass) }
        let family = parsed.first?.1.family ?? 8
        let histogramKeys = minuteRows.map { row in
            keyspace.key(SidekiqMetricKey.histogramName(start: row.minute, family: family, jobClass: row.jobClass))
        }
        let histograms = try connection.pipeline(histogramKeys.map { RedisCommand("GET", $0) })
        for (row, reply) in zip(minuteRows, histograms) {
            if case .bulkString(let bytes) = reply {
                rows["\(row.jobClass)|\(row.minute)"]?.histogram = SidekiqMetricKey.histogramCounts(bytes)
            }
        }
        return (rows.values.sorted { ($0.minute, $0.jobClass) < ($1.minute, $1.jobClass) }, parsed.count)
    }
}
