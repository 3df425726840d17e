// Feeds a log's lines to the Sidekiq log parser the way `import sidekiq-log` does: one parser state shared by
// every line (the name table and the timestamp-hour cache carry over), with a journald clock so the short
// formats' own times are read too. The format is detected per line, so one harness covers every format;
// `make fuzz` runs it from a corpus of each (text, JSON, journald short, journald JSON).
import CLibFuzzer
@testable import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let log = UnsafeRawBufferPointer(start: data, count: size)
    let clock = SidekiqLogParser.Clock(year: 2026, utcOffset: 3600)
    var state = SidekiqLogParser.State()
    var record = LogRecord()
    var lineStart = 0
    var firstLine = true
    while lineStart <= size {
        var lineEnd = lineStart
        while lineEnd < size, log[lineEnd] != 10 { lineEnd += 1 }
        let line = UnsafeRawBufferPointer(rebasing: log[lineStart..<lineEnd])
        if SidekiqLogParser.parse(line, clock: clock, state: &state, into: &record) {
            // The String form resolves every name index the record holds: a bad index traps here.
            if record.kind != .other { _ = record.line(names: state.names.names) }
        } else if firstLine {
            _ = SidekiqLogScanner.reason(line)
        }
        if firstLine {
            // The public entry point, which starts from a fresh state (once: a fresh name table per line is slow).
            _ = SidekiqLogParser.parse(line, clock: nil)
            firstLine = false
        }
        lineStart = lineEnd + 1
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
