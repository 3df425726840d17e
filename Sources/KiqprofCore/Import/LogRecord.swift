/// One parsed line as the import's hot path carries it: plain values only (ids inline, names interned in a
/// `LogNameTable`), so lines are parsed, queued and paired without allocating. `SidekiqLogLine` is its
/// String form.
struct LogRecord: Sendable {
    enum Kind: UInt8, Sendable { case other, start, end, error, hardShutdown }

    var kind = Kind.other
    var format = SidekiqLogFormat.text
    var failed = false
    var time: Double = 0
    var elapsed: Double?
    var pid = 0
    var tid = LogToken()
    var jid = LogToken()
    /// The job class (start, end) or the error class (error), in the name table.
    var name: Int32 = -1
    /// The host journald named, in the name table; −1 when the line did not say.
    var host: Int32 = -1

    /// Moves the record's names to another table: `map` takes this table's indexes to that one's.
    mutating func remap(_ map: [Int32]) {
        if name >= 0 { name = map[Int(name)] }
        if host >= 0 { host = map[Int(host)] }
        tid.remap(map)
        jid.remap(map)
    }

    /// The String form, resolving names through `names`.
    func line(names: [String]) -> SidekiqLogLine {
        let event: SidekiqLogEvent
        switch kind {
        case .start:
            event = .start(time: time, pid: pid, tid: tid.string(names: names), jid: jid.string(names: names), jobClass: names[Int(name)])
        case .end:
            event = .end(time: time, pid: pid, tid: tid.string(names: names), jid: jid.string(names: names), jobClass: names[Int(name)],
                         elapsed: elapsed, failed: failed)
        case .error: event = .error(pid: pid, tid: tid.string(names: names), errorClass: names[Int(name)])
        case .hardShutdown: event = .hardShutdown(pid: pid)
        case .other: event = .other
        }
        return SidekiqLogLine(event: event, host: host < 0 ? nil : names[Int(host)], format: format)
    }
}
