/// The recorder's `SidekiqStateSource` in production: a `SidekiqStateReader` on its own Redis connection.
public final class RedisStateSource: SidekiqStateSource {
    private let endpoint: RedisEndpoint
    private let keyspace: SidekiqKeyspace
    private let cronNamespaces: [String]
    public var timeout: Double {
        didSet { connection?.setTimeout(timeout) }
    }
    private var connection: RedisConnection?
    private var reader: SidekiqStateReader?

    public init(endpoint: RedisEndpoint, keyspace: SidekiqKeyspace, cronNamespaces: [String], timeout: Double) {
        self.endpoint = endpoint
        self.keyspace = keyspace
        self.cronNamespaces = cronNamespaces
        self.timeout = timeout
    }

    public var isConnected: Bool { reader != nil && connection?.isConnected == true }

    public func connect() throws {
        disconnect()
        let made = try RedisConnection(endpoint: endpoint, timeoutSeconds: timeout)
        connection = made
        // A new reader: its beat cache belonged to the old connection's view of Redis.
        reader = SidekiqStateReader(connection: made, keyspace: keyspace, cronNamespaces: cronNamespaces)
    }

    public func disconnect() {
        connection = nil
        reader = nil
    }

    public func poll(now: Double, includeSchedules: Bool, outcomeChecks: [RunTracker.EndedRun]) throws -> SidekiqStatePoll {
        guard let connection, let reader else { throw RedisError.io(command: "poll", reason: "not connected") }
        let checks = RunOutcomeSettler.commands(for: outcomeChecks, keyspace: keyspace)
        let (tripsBefore, commandsBefore) = (connection.roundTrips, connection.commandsSent)
        let (status, replies) = try reader.poll(now: now, includeSchedules: includeSchedules, extra: checks, onlyChangedBusy: true)
        return SidekiqStatePoll(status: status, outcomeReplies: replies, roundTrips: connection.roundTrips - tripsBefore,
                                commands: connection.commandsSent - commandsBefore)
    }
}

// Owns a RedisConnection; used by the recorder's one thread.
@available(*, unavailable)
extension RedisStateSource: Sendable {}
