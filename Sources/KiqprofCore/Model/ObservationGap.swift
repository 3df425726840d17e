/// A stretch the recorder could not observe: Redis unreachable, a Sidekiq process that stopped beating, or a
/// host it could not sample (a starved host). The recorder writes them, the store keeps them, and the
/// analysis turns them into outage signals.
public struct ObservationGap: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case redis, heartbeat, host
    }

    public var from: Double
    public var to: Double
    public var kind: Kind
    public var reason: String

    public init(from: Double, to: Double, kind: Kind, reason: String) {
        self.from = from
        self.to = to
        self.kind = kind
        self.reason = reason
    }
}
