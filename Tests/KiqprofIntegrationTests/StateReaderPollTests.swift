import Foundation
import Testing
import KiqprofCore

/// The recorder's poll: extra commands ride in the first round trip without disturbing the status read.
@Suite("state reader poll")
struct StateReaderPollTests {
    @Test(arguments: [false, true])
    func extraCommandsRideAlong(includeSchedules: Bool) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S6"), into: server)
        let connection = try RedisConnection(endpoint: try RedisEndpoint(url: server.unixURL))
        let reader = SidekiqStateReader(connection: connection, keyspace: SidekiqKeyspace())
        let extra = [RedisCommand("ZCARD", "retry"), RedisCommand("ZRANGEBYSCORE", "dead", "0", "+inf", "LIMIT", "0", "10")]
        let (status, replies) = try reader.poll(now: capturedAt, includeSchedules: includeSchedules, extra: extra)
        #expect(replies.count == 2)
        #expect(replies[0] == .integer(Int64(status.retrySize)))
        #expect(replies[1].array?.count == status.deadSize)
        #expect(status.schedules.count == (includeSchedules ? 3 : 0))
        #expect(status.warnings.isEmpty)
        #expect(status.busy.count == 5)
        // A second poll reuses the decoded work entries and reads the same.
        #expect(try reader.readStatus(now: capturedAt).busy == status.busy)
    }
}
