/// One thing to do about a suspect: an action, its exact steps, what it costs, and the evidence for it.
public struct Recommendation: Sendable, Equatable {
    public var jobClass: String?
    public var schedule: String?
    /// `disable_schedule`, `admin_setting`, `env`, `tootctl`, `upgrade`, `lower_concurrency`, `isolate_queue`,
    /// `add_lock`, `reschedule`, … (docs/cli.md).
    public var action: String
    public var steps: [String]
    public var sideEffect: String?
    public var evidence: [String]
    /// Expected impact in words, e.g. "high: one run adds 46 pp CPU and 790 MB, every 5m".
    public var impact: String
    /// The number the list is ordered by (higher first): the suspect's score, weighted by how directly the
    /// action removes the cost.
    public var impactScore: Double
    /// Where it came from: the rules of an app (`mastodon`), or `measured` for the generic rules.
    public var origin: String

    public init(jobClass: String?, schedule: String?, action: String, steps: [String], sideEffect: String?, evidence: [String],
                impact: String, impactScore: Double, origin: String) {
        self.jobClass = jobClass
        self.schedule = schedule
        self.action = action
        self.steps = steps
        self.sideEffect = sideEffect
        self.evidence = evidence
        self.impact = impact
        self.impactScore = impactScore
        self.origin = origin
    }
}
