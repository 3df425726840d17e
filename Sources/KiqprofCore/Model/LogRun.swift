/// A job run as the log import pairs and stores it: a compact view of `JobRun`'s log fields without Strings (ids inline, names
/// as indexes into the import's name table), so millions of them are made and queued without allocating.
struct LogRun: Sendable {
    var jid: LogToken
    var tid: LogToken
    var pid: Int
    var jobClass: Int32
    /// −1: the line did not name a host (the import's default host applies).
    var host: Int32
    /// −1: none.
    var errorClass: Int32 = -1
    var start: Double
    var end: RunEnd = .unknown
    var outcome: JobRun.Outcome
}
