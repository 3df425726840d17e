/// What `toggle disable|enable` did with a plan.
public struct ToggleResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// Already in the requested state: nothing sent.
        case unchanged
        /// Dry run: the command was printed, not sent.
        case dryRun = "dry_run"
        /// Written and read back.
        case applied
    }

    public let plan: TogglePlan
    public let status: Status
    /// The field's value when kiqprof finished: the read-back after `--apply`, else `plan.before`.
    public let after: String?

    public init(plan: TogglePlan, status: Status, after: String?) {
        self.plan = plan
        self.status = status
        self.after = after
    }
}
