/// One Sidekiq process as its heartbeat describes it (sidekiq-layout §5).
public struct SidekiqProcess: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// In `processes` and its hash has `info`.
        case live
        /// Still in `processes`, but its hash expired: it crashed or was killed without cleaning up.
        case gone
    }

    public var identity: String
    public var state: State
    public var hostname: String
    public var pid: Int?
    public var tag: String?
    /// `info.version` (7.0.2+); nil before that.
    public var version: String?
    public var concurrency: Int?
    public var queues: [String]
    public var labels: [String]
    public var busy: Int?
    /// Epoch seconds of the last heartbeat.
    public var beat: Double?
    public var quiet: Bool?
    public var rssKiB: Int?
    public var rttMicros: Int?
    public var startedAt: Double?
    /// True when the in-progress work was found under the ≤ 6.4.1 name `<identity>:workers`.
    public var usesLegacyWorkersKey: Bool

    public init(identity: String, state: State) {
        self.identity = identity
        self.state = state
        let parts = identity.split(separator: ":", omittingEmptySubsequences: false)
        // The identity is host:pid:nonce, and a hostname may itself contain ':' — parse from the right.
        if parts.count >= 3 {
            self.hostname = parts.dropLast(2).joined(separator: ":")
            self.pid = Int(parts[parts.count - 2])
        } else {
            self.hostname = identity
            self.pid = nil
        }
        self.queues = []
        self.labels = []
        self.usesLegacyWorkersKey = false
    }

    /// The Sidekiq major version family, inferred when `info.version` is absent (≤ 7.0.1).
    public var majorVersion: Int {
        if let version, let major = Int(version.prefix(while: { $0 != "." })) { return major }
        return 6
    }

    /// A readable version: the exact one when known, else what the data implies.
    public var versionLabel: String {
        if let version { return version }
        return usesLegacyWorkersKey ? "6.x (<= 6.4.1)" : "6.x"
    }

    /// Seconds between heartbeats: 5 s on 6.x, 10 s on 7.0 and later (sidekiq-layout §5.2).
    public var heartbeatSeconds: Double { majorVersion >= 7 ? 10 : 5 }

    /// A beat older than three heartbeats means the process is stalled or gone.
    public var staleAfterSeconds: Double { heartbeatSeconds * 3 }

    public func beatAge(now: Double) -> Double? { beat.map { max(0, now - $0) } }

    public func isStale(now: Double) -> Bool {
        if state == .gone { return true }
        guard let age = beatAge(now: now) else { return true }
        return age > staleAfterSeconds
    }
}
