/// One queue's size and latency (the age of its oldest job, the one at the list's tail).
public struct QueueSummary: Sendable, Equatable {
    public var name: String
    public var size: Int
    /// Seconds; 0 for an empty queue; nil when the oldest job has no readable timestamp.
    public var latency: Double?
    public var oldestJid: String?
    public var oldestClass: String?
}
