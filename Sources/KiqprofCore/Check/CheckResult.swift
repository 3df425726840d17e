/// What `kiqprof check` found: one item per check that had data, the forecasts, the sources that failed,
/// and the overall state (the worst item; UNKNOWN when a source failed, unless something is CRITICAL).
public struct CheckResult: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var kind: CheckKind
        public var state: CheckState
        /// The measured value in the kind's unit; nil when the check could only say it failed (no live process).
        public var value: Double?
        public var warn: Double?
        public var crit: Double?
        /// What was measured, e.g. "queue default: latency 6m52s (oldest HeavyJob)".
        public var message: String

        public init(kind: CheckKind, state: CheckState, value: Double?, warn: Double?, crit: Double?, message: String) {
            self.kind = kind
            self.state = state
            self.value = value
            self.warn = warn
            self.crit = crit
            self.message = message
        }
    }

    public var now: Double
    public var items: [Item] = []
    public var earlyWarnings: [EarlyWarning] = []
    /// One line per source that could not be read (Redis refused, store missing): each makes the result UNKNOWN.
    public var failures: [String] = []
    /// Checks skipped for lack of data, as sentences.
    public var notes: [String] = []

    public init(now: Double) {
        self.now = now
    }

    public var state: CheckState {
        let worst = items.map(\.state).max() ?? .ok
        if !failures.isEmpty && worst != .critical { return .unknown }
        return worst
    }
}
