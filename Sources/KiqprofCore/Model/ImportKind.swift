/// What an import read: a Sidekiq log, Sidekiq 7/8 metrics from Redis, or host samples in one of the
/// formats kiqprof reads. The store's `import_record.kind` keeps the raw value, and summaries name it.
public enum ImportKind: String, Sendable, Equatable, CaseIterable {
    case sidekiqLog = "sidekiq-log"
    case metrics
    case sar, cloudwatch, prometheus, csv
    case kernelLog = "kernel-log"
}
