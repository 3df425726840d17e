/// What an import did: what it added, skipped and could not read, with up to 10 examples of the last.
public struct ImportSummary: Sendable, Equatable {
    public var source: String
    public var kind: ImportKind
    public var lines = 0
    public var runsAdded = 0
    public var openRuns = 0
    public var samplesAdded = 0
    /// OOM kills a kernel log held, and boots it showed.
    public var oomKillsAdded = 0
    public var boots = 0
    public var duplicatesSkipped = 0
    public var alreadyImported = false
    public var supersededPolledRuns = 0
    public var notUnderstood = 0
    /// `file:line: reason`, at most 10.
    public var examples: [String] = []
    public var bytes = 0
    public var dryRun = false

    public init(source: String, kind: ImportKind) {
        self.source = source
        self.kind = kind
    }

    mutating func notUnderstood(line: Int, reason: String) {
        notUnderstood += 1
        if examples.count < 10 { examples.append("\(source):\(line): \(reason)") }
    }
}
