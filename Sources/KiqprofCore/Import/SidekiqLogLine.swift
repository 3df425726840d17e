/// The forms a Sidekiq log line can take.
public enum SidekiqLogFormat: String, Sendable, Equatable, CaseIterable {
    /// Sidekiq's own text (Pretty 6.x/7.x/8.x, Plain, WithoutTimestamp).
    case text
    /// Sidekiq's JSON formatter.
    case json
    /// journalctl's short formats (`short`, `short-iso`, `short-precise`, `short-unix`).
    case journald
    /// `journalctl -o json`.
    case journaldJSON = "journald-json"
}

/// One parsed line: the event plus what the line's wrapper (journald) said about where it came from.
public struct SidekiqLogLine: Sendable, Equatable {
    public var event: SidekiqLogEvent
    /// The host journald named (`_HOSTNAME`, or the short formats' host field), if any.
    public var host: String?
    public var format: SidekiqLogFormat

    public init(event: SidekiqLogEvent, host: String? = nil, format: SidekiqLogFormat = .text) {
        self.event = event
        self.host = host
        self.format = format
    }
}
