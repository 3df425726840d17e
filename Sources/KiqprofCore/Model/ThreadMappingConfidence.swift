/// How sure the recorder is that a Sidekiq thread (`tid` in work entries) is a given kernel thread: the
/// log-likelihood it would lose, in nats, if the pair were forbidden (`ThreadMappingLearner`).
public enum ThreadMappingConfidence: String, Codable, Sendable, CaseIterable {
    /// At least 6 nats: the pair's evidence is hundreds of times likelier than the best alternative's.
    case sure
    /// At least 3 nats: twenty times likelier.
    case likely

    public static let sureMargin = 6.0
    public static let likelyMargin = 3.0

    /// The confidence a margin earns; nil below `likelyMargin` (the run is not measured).
    public init?(margin: Double) {
        if margin >= Self.sureMargin {
            self = .sure
        } else if margin >= Self.likelyMargin {
            self = .likely
        } else {
            return nil
        }
    }
}
