/// What one poll of a `SidekiqStateSource` read.
public struct SidekiqStatePoll: Sendable {
    public var status: SidekiqStatus
    /// The members the outcome checks read (dead window, then retry window), for `RunOutcomeSettler.settle`.
    public var outcomeReplies: [RedisValue]
    /// Round trips and commands the poll took, for the recorder's summary.
    public var roundTrips: Int
    public var commands: Int

    public init(status: SidekiqStatus, outcomeReplies: [RedisValue] = [], roundTrips: Int = 0, commands: Int = 0) {
        self.status = status
        self.outcomeReplies = outcomeReplies
        self.roundTrips = roundTrips
        self.commands = commands
    }
}
