@testable import KiqprofCore

/// Sidekiq's state as a function of wall time, read the way `SidekiqStateReader` reads it for the recorder:
/// after a (re)connect every process is read afresh; later only the work of processes whose beat changed
/// is listed, and `changedIdentities` names them. Retry and dead are sorted sets that the outcome checks
/// read with the recorder's own score windows (`RunOutcomeSettler.commands`).
final class ScriptedStateSource: SidekiqStateSource {
    struct World {
        var processes: [SidekiqProcess] = []
        var busy: [BusyJob] = []
        var failed: Int64? = 0
        var queues: [QueueSummary] = []
    }

    struct Poll: Equatable {
        var t: Double
        var includeSchedules: Bool
        /// The jids the recorder asked to check in retry/dead.
        var checked: [String]
    }

    let keyspace = SidekiqKeyspace()
    private let clock: ManualRecorderClock
    private let world: (Double) -> World
    /// Wall times at which Redis refuses connections and fails polls.
    var unreachable: (Double) -> Bool = { _ in false }
    /// Score → member (a job payload), as Sidekiq keeps them.
    var retry: [(score: Double, member: String)] = []
    var dead: [(score: Double, member: String)] = []
    private(set) var connectAttempts: [Double] = []
    /// Each change of the wait limit the recorder made, with when.
    private(set) var timeoutChanges: [(t: Double, seconds: Double)] = []
    var timeout: Double = 2 {
        didSet { timeoutChanges.append((clock.now(), timeout)) }
    }
    private(set) var polls: [Poll] = []
    private(set) var isConnected = false
    /// The beats the previous poll read; nil right after a connect.
    private var previousBeats: [String: Double]?

    init(clock: ManualRecorderClock, world: @escaping (Double) -> World) {
        self.clock = clock
        self.world = world
    }

    func connect() throws {
        connectAttempts.append(clock.now())
        guard !unreachable(clock.now()) else { throw RedisError.connectionFailed(endpoint: "scripted", reason: "Connection refused") }
        isConnected = true
        previousBeats = nil
    }

    func disconnect() {
        isConnected = false
        previousBeats = nil
    }

    func poll(now: Double, includeSchedules: Bool, outcomeChecks: [RunTracker.EndedRun]) throws -> SidekiqStatePoll {
        precondition(isConnected, "the recorder polled without connecting")
        guard !unreachable(now) else { throw RedisError.io(command: "SSCAN", reason: "Connection reset by peer") }
        polls.append(Poll(t: now, includeSchedules: includeSchedules, checked: outcomeChecks.compactMap(\.run.jid).sorted()))
        let state = world(now)
        var beats: [String: Double] = [:]
        for process in state.processes { beats[process.identity] = process.beat }
        // Like the reader: a process is unchanged when its beat equals the one read last time.
        let unchanged = Set(state.processes.map(\.identity).filter { id in beats[id] != nil && previousBeats?[id] == beats[id] })
        var status = SidekiqStatus(
            now: now, processed: nil, failed: state.failed, processedToday: nil, failedToday: nil, retrySize: retry.count,
            scheduleSize: 0, deadSize: dead.count, queues: state.queues, processes: state.processes,
            busy: state.busy.filter { !unchanged.contains($0.identity) }, schedules: [], warnings: [])
        if let previousBeats, !previousBeats.isEmpty {
            status.changedIdentities = Set(state.processes.map(\.identity)).subtracting(unchanged)
        }
        previousBeats = beats
        let commands = RunOutcomeSettler.commands(for: outcomeChecks, keyspace: keyspace)
        return SidekiqStatePoll(status: status, outcomeReplies: commands.map(zrangeByScore), roundTrips: 2, commands: 10 + commands.count)
    }

    /// `ZRANGEBYSCORE key min max LIMIT 0 n` over the scripted sets.
    private func zrangeByScore(_ command: RedisCommand) -> RedisValue {
        let text = command.arguments.map { String(decoding: $0, as: UTF8.self) }
        let set = text[1] == keyspace.dead ? dead : retry
        guard let low = Double(text[2]), let high = Double(text[3]) else { return .error("ERR min or max is not a float") }
        let members = set.filter { (low...high).contains($0.score) }.sorted { $0.score < $1.score }
        return .array(members.map { .bulkString(Array($0.member.utf8)) })
    }
}
