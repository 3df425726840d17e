/// Walks every queue list and the retry, schedule and dead sets in pages of at most 1,000 elements,
/// keeping `pagesInFlight` pages pipelined, and feeds each payload to a `CensusAccumulator`.
/// Bounded pages keep every Redis command short (a single `LRANGE 0 -1` on 400 k jobs blocks Redis for
/// ~300 ms); the sliding window keeps the socket busy so paging costs little over one big read.
public final class SidekiqCensus {
    private let connection: RedisConnection
    public let keyspace: SidekiqKeyspace
    public let pageSize: Int
    public let pagesInFlight: Int

    public init(connection: RedisConnection, keyspace: SidekiqKeyspace, pageSize: Int = 1000, pagesInFlight: Int = 8) {
        precondition(pageSize > 0 && pageSize <= 1000 && pagesInFlight > 0)
        self.connection = connection
        self.keyspace = keyspace
        self.pageSize = pageSize
        self.pagesInFlight = pagesInFlight
    }

    private struct Page {
        let key: String
        let location: CensusAccumulator.Location
        let start: Int
        let command: RedisCommand
    }

    /// Runs the census. `progress` is called after each page with (payloads read, payloads expected).
    public func run(now: Double, progress: (Int, Int) -> Void = { _, _ in }) throws -> CensusResult {
        var warnings: [String] = []
        let ks = keyspace
        var queueNames: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send(RedisCommand("SSCAN", ks.queues, cursor, "COUNT", "1000"))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let members = parts[1].array else {
                throw RedisError.unexpectedReply(command: "SSCAN \(ks.queues)", expected: "a [cursor, members] pair", got: reply.kindName)
            }
            queueNames += members.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        queueNames = Array(Set(queueNames)).sorted()

        var sources: [(key: String, location: CensusAccumulator.Location, isList: Bool)] =
            queueNames.map { (ks.queue($0), .queue($0), true) }
        sources += [(ks.retry, .retry, false), (ks.schedule, .schedule, false), (ks.dead, .dead, false)]
        let sizes = try connection.pipeline(sources.map { RedisCommand($0.isList ? "LLEN" : "ZCARD", $0.key) })

        var pages: [Page] = []
        var expected = 0
        for (source, reply) in zip(sources, sizes) {
            if case .error(let message) = reply {
                warnings.append("\(source.key): \(message) (\(source.isList ? "LLEN" : "ZCARD"))")
                continue
            }
            let size = Int(reply.integer ?? 0)
            expected += size
            var start = 0
            while start < size {
                let stop = String(start + pageSize - 1)
                let command = RedisCommand(source.isList ? "LRANGE" : "ZRANGE", source.key, String(start), stop)
                pages.append(Page(key: source.key, location: source.location, start: start, command: command))
                start += pageSize
            }
        }

        var accumulator = CensusAccumulator()
        var failedKeys = Set<String>()
        var sent = 0
        var read = 0
        var seen = 0
        while read < pages.count {
            while sent < pages.count && sent - read < pagesInFlight {
                try connection.append(pages[sent].command)
                sent += 1
            }
            let page = pages[read]
            read += 1
            do {
                try connection.readArrayReply { index, bytes, isNull in
                    seen += 1
                    if isNull {
                        accumulator.recordUnparseable(key: page.key, index: page.start + index, reason: "not a string element")
                    } else {
                        accumulator.add(bytes, location: page.location, key: page.key, index: page.start + index)
                    }
                }
            } catch let error as RedisError {
                guard case .server(_, let message) = error else { throw error }
                // A key that changed type mid-walk: note it once and skip its other pages.
                if failedKeys.insert(page.key).inserted { warnings.append("\(page.key): \(message) (\(page.command.name))") }
            }
            progress(seen, max(expected, seen))
        }
        return accumulator.result(now: now, warnings: warnings)
    }
}

// Owns a RedisConnection, which one thread uses at a time.
@available(*, unavailable)
extension SidekiqCensus: Sendable {}
