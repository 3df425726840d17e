/// How a job run ended, as every stage speaks of it: the recorder settles it from Redis, an import reads it
/// from the log, the store keeps its raw value, the analysis counts it.
public enum RunOutcome: String, Codable, Sendable, CaseIterable {
    case ok, failed, interrupted, lost, running, unknown
}
