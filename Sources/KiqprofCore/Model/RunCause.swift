/// Why a run was lost, where kiqprof knows: the OOM killer took down its process (from a kernel log).
public enum RunCause: String, Codable, Sendable, CaseIterable {
    case oomKilled = "oom_killed"
}
