/// One parsed line: the event plus what the line's wrapper (journald) said about where it came from.
public struct SidekiqLogLine: Sendable, Equatable {
    public var event: SidekiqLogEvent
    /// The host journald named (`_HOSTNAME`, or the short formats' host field), if any.
    public var host: String?

    public init(event: SidekiqLogEvent, host: String? = nil) {
        self.event = event
        self.host = host
    }
}
