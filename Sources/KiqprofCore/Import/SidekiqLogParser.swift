#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses one line of a Sidekiq log in any of the forms Sidekiq and journald write (sidekiq-layout §13):
/// 6.x/7.x text (`ts pid= tid= ctx LEVEL: msg`), 8.x text with its leading, possibly ANSI-coloured level
/// and the Plain formatter, the JSON formatter, and journald's `-o short`, `short-iso`, `short-precise`
/// and `-o json` wrappers (whose `MESSAGE` may be a byte array). Allocation-light: it looks at fixed
/// positions, keeps ids inline and interns names (`LogRecord`); `parse` gives the String form.
public enum SidekiqLogParser {
    /// How to read journald times that carry no year or zone, for Sidekiq lines without their own time
    /// (the WithoutTimestamp formatter, used when `DYNO` is set).
    public struct Clock: Sendable, Equatable {
        /// The year of `-o short` times (`Nov 26 17:30:57`); default the current one.
        public var year: Int
        /// Seconds east of UTC of journald times without an offset; default this machine's zone.
        public var utcOffset: Int

        public init(year: Int, utcOffset: Int) {
            self.year = year
            self.utcOffset = utcOffset
        }
    }

    /// What parsing keeps from line to line: the names seen so far and the last timestamp's hour.
    struct State {
        /// `Sidekiq::Shutdown`, the error class of runs killed at the shutdown deadline, which no line names.
        static let shutdownError: Int32 = 0
        var names = LogNameTable()
        var hour = TimestampHour()

        init() { _ = names.intern("Sidekiq::Shutdown") }
    }

    /// The hour prefix (`2026-11-26T17`) of the last timestamp and its epoch second: lines of one hour
    /// only need their minutes, seconds and milliseconds read.
    struct TimestampHour {
        var prefix: (UInt64, UInt64) = (0, 0)
        var start = 0
    }

    /// Parses a line (without its newline). Returns nil for a line that is not a Sidekiq line at all
    /// (a Ruby warning, a backtrace continuation, binary junk): the importer counts those.
    public static func parse(_ line: UnsafeRawBufferPointer, clock: Clock? = nil) -> SidekiqLogLine? {
        var state = State()
        var record = LogRecord()
        guard parse(line, clock: clock, state: &state, into: &record) else { return nil }
        return record.line(names: state.names.names)
    }

    /// The importer's form of `parse`: fills `record` and returns false for a line that is not Sidekiq's.
    static func parse(_ line: UnsafeRawBufferPointer, clock: Clock?, state: inout State, into record: inout LogRecord) -> Bool {
        var end = line.count
        while end > 0, line[end - 1] == 13 || line[end - 1] == 32 { end -= 1 }  // \r and trailing spaces
        let text = UnsafeRawBufferPointer(rebasing: line[0..<end])
        record = LogRecord()
        guard !text.isEmpty else { return false }
        if text[0] == UInt8(ascii: "{") { return parseJSONLine(text, clock: clock, state: &state, into: &record) }
        if parseSidekiqText(text, fallbackTime: { nil }, state: &state, into: &record) { return true }
        // journald's short formats: "<time> <host> <ident>[<pid>]: <message>".
        if let (hostStart, hostEnd, bodyStart) = journaldPrefix(text) {
            let body = UnsafeRawBufferPointer(rebasing: text[bodyStart...])
            let journalTime = { clock.flatMap { journaldTime(UnsafeRawBufferPointer(rebasing: text[0..<bodyStart]), clock: $0) } }
            record = LogRecord()
            guard parseSidekiqText(body, fallbackTime: journalTime, state: &state, into: &record) else { return false }
            record.host = state.names.intern(UnsafeRawBufferPointer(rebasing: text[hostStart..<hostEnd]))
            record.format = .journald
            return true
        }
        return false
    }

    /// The time of a journald short prefix: `Nov 26 17:30:57[.123456]` (no year, local zone),
    /// `2026-11-26T17:25:18+0000` / `+00:00` (short-iso, -precise), or `[1795714000.123456]` (short-unix).
    static func journaldTime(_ prefix: UnsafeRawBufferPointer, clock: Clock) -> Double? {
        let text = String(decoding: prefix, as: UTF8.self)
        let first = text.split(separator: " ").first.map(String.init) ?? ""
        if first.hasPrefix("["), first.hasSuffix("]") { return Double(first.dropFirst().dropLast()) }
        if first.count >= 19, first.dropFirst(4).first == "-" {
            let hasOffset = first.hasSuffix("Z") || first.dropFirst(19).contains("+") || first.dropFirst(19).contains("-")
            if hasOffset { return TimeExpression.parseISO(first) }
            return TimeExpression.parseISO(first + "Z").map { $0 - Double(clock.utcOffset) }
        }
        let parts = text.split(separator: " ", maxSplits: 3)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count >= 3, let month = months.firstIndex(of: String(parts[0])), let day = Int(parts[1]) else { return nil }
        let clockParts = parts[2].split(separator: ":")
        // journald writes real clock times; anything else is not its prefix (and would overflow the sum below).
        guard clockParts.count == 3, let hour = Int(clockParts[0]), let minute = Int(clockParts[1]),
            let second = Double(clockParts[2]), (1...31).contains(day), (0..<24).contains(hour), (0..<60).contains(minute),
            second >= 0, second < 61 else { return nil }
        let days = daysFromCivil(year: clock.year, month: month + 1, day: day)
        return Double(days * 86400 + hour * 3600 + minute * 60) + second - Double(clock.utcOffset)
    }

    /// Fills `record` from Sidekiq's own text; false when the line is not Sidekiq's. `fallbackTime` (the
    /// journald wrapper's) is only read for a job line without its own time: reading it costs per line.
    static func parseSidekiqText(_ text: UnsafeRawBufferPointer, fallbackTime: () -> Double?, state: inout State,
        into record: inout LogRecord) -> Bool {
        var index = 0
        let count = text.count
        skipANSI(text, &index)
        var levelFirst = false
        if index < count, text[index] >= 65, text[index] <= 90 {
            // 8.x: the level comes first (coloured, Plain, or ANSI-stripped by journalctl).
            guard let length = levelLength(text, at: index) else { return false }
            index += length
            levelFirst = true
            // "INFO \e[0m " (padded inside the colour codes), "INFO  " (journalctl stripped them) or "INFO ".
            while index < count, text[index] == 32 { index += 1 }
            skipANSI(text, &index)
            while index < count, text[index] == 32 { index += 1 }
        }
        var time: Double?
        if index + 24 <= count, text[index] >= 48, text[index] <= 57 {
            guard let parsed = parseTimestamp(text, at: index, hour: &state.hour) else { return false }
            time = parsed
            index += 24
            guard index < count, text[index] == 32 else { return false }
            index += 1
        }
        guard index + 4 <= count, matches(text, at: index, "pid=") else { return false }
        index += 4
        var pid = 0
        var digits = 0
        while index < count, text[index] >= 48, text[index] <= 57 {
            guard digits < 18 else { return false }  // no pid is that long, and more digits would overflow
            pid = pid * 10 + Int(text[index] - 48)
            index += 1
            digits += 1
        }
        guard digits > 0, index + 5 <= count, matches(text, at: index, " tid=") else { return false }
        index += 5
        let tidStart = index
        while index < count, text[index] != 32, text[index] != UInt8(ascii: ":") { index += 1 }
        guard index > tidStart else { return false }
        let tidEnd = index

        // The message follows the first ": " after the context: `… LEVEL: msg` (6/7) or `…: msg` (8).
        guard let colon = find(text, from: index, ": ") else { return false }
        var contextEnd = colon
        if !levelFirst {
            // 6/7: the level is the last token of the context.
            var tokenStart = colon
            while tokenStart > index, text[tokenStart - 1] != 32 { tokenStart -= 1 }
            guard levelLength(text, at: tokenStart) == colon - tokenStart else { return false }
            contextEnd = max(index, tokenStart - 1)
        }
        let messageStart = colon + 2
        let message = UnsafeRawBufferPointer(rebasing: text[messageStart..<count])
        record.pid = pid

        let isStart = equals(message, "start")
        let isDone = !isStart && equals(message, "done")
        let isFail = !isStart && !isDone && equals(message, "fail")
        if isStart || isDone || isFail {
            // WithoutTimestamp lines carry no time of their own: use the journald wrapper's.
            guard let time = time ?? fallbackTime() else { return true }
            var jid: Range<Int>?
            var jobClass: Range<Int>?
            var elapsed: Double?
            forEachContextPair(text, from: index, to: contextEnd) { key, valueStart, valueEnd in
                if equals(key, "jid") { jid = valueStart..<valueEnd }
                else if equals(key, "class") { jobClass = valueStart..<valueEnd }
                else if equals(key, "elapsed") { elapsed = decimal(text, valueStart, valueEnd) }
            }
            guard let jid, let jobClass else { return true }
            record.kind = isStart ? .start : .end
            record.failed = isFail
            record.time = time
            record.elapsed = isStart ? nil : elapsed
            record.tid = LogToken(UnsafeRawBufferPointer(rebasing: text[tidStart..<tidEnd]), names: &state.names)
            record.jid = LogToken(UnsafeRawBufferPointer(rebasing: text[jid]), names: &state.names)
            record.name = state.names.intern(UnsafeRawBufferPointer(rebasing: text[jobClass]))
            return true
        }
        if let errorClass = errorClass(message, context: UnsafeRawBufferPointer(rebasing: text[index..<contextEnd])) {
            record.kind = .error
            record.tid = LogToken(UnsafeRawBufferPointer(rebasing: text[tidStart..<tidEnd]), names: &state.names)
            record.name = state.names.intern(errorClass)
            return true
        }
        if isHardShutdown(message) { record.kind = .hardShutdown }
        return true
    }

    /// `ArgumentError: boom` (6/7 WARN) or, after `context=Job raised exception`, `boom (ArgumentError)` (8.x).
    static func errorClass(_ message: UnsafeRawBufferPointer, context: UnsafeRawBufferPointer) -> String? {
        guard let first = message.first else { return nil }
        if first >= 65, first <= 90, let colon = find(message, from: 0, ": ") {
            let name = message[0..<colon]
            if name.allSatisfy({ isClassByte($0) }) { return String(decoding: name, as: UTF8.self) }
        }
        // 8.x: `detailed_message` ends its first line with "(ErrorClass)"; in development the backtrace follows.
        let firstLineEnd = message.firstIndex(of: 10) ?? message.count
        if firstLineEnd > 0, message[firstLineEnd - 1] == UInt8(ascii: ")"), find(context, from: 0, "Job raised exception") != nil {
            var close = firstLineEnd
            while close > 0, message[close - 1] != UInt8(ascii: ")") { close -= 1 }
            guard close > 0 else { return nil }
            var open = close - 1
            while open > 0, message[open - 1] != UInt8(ascii: "(") { open -= 1 }
            let name = message[open..<(close - 1)]
            if !name.isEmpty, name.allSatisfy({ isClassByte($0) }) { return String(decoding: name, as: UTF8.self) }
        }
        return nil
    }

    /// `Terminating 5 busy worker threads` (6.x) / `Terminating 5 busy threads` (7+), `Pushed 5 jobs back to Redis`.
    static func isHardShutdown(_ message: UnsafeRawBufferPointer) -> Bool {
        (startsWith(message, "Terminating ") && find(message, from: 12, " busy ") != nil)
            || (startsWith(message, "Pushed ") && find(message, from: 7, " back to Redis") != nil)
    }

    // MARK: JSON lines

    static func parseJSONLine(_ text: UnsafeRawBufferPointer, clock: Clock?, state: inout State, into record: inout LogRecord) -> Bool {
        // The members of interest, captured without building a collection (this runs once per line).
        var ts: JSONSpan?, pidSpan: JSONSpan?, tidSpan: JSONSpan?, msgSpan: JSONSpan?, ctxSpan: JSONSpan?
        var messageSpan: JSONSpan?, hostnameSpan: JSONSpan?, realtimeSpan: JSONSpan?
        do throws(JSONScanError) {
            try JSONScanner.scanObject(text) { key, span in
                switch key.count {
                case 2: if JSONScanner.key(key, is: "ts") { ts = span }
                case 3:
                    if JSONScanner.key(key, is: "pid") { pidSpan = span }
                    else if JSONScanner.key(key, is: "tid") { tidSpan = span }
                    else if JSONScanner.key(key, is: "msg") { msgSpan = span }
                    else if JSONScanner.key(key, is: "ctx") { ctxSpan = span }
                case 7: if JSONScanner.key(key, is: "MESSAGE") { messageSpan = span }
                case 9: if JSONScanner.key(key, is: "_HOSTNAME") { hostnameSpan = span }
                case 20: if JSONScanner.key(key, is: "__REALTIME_TIMESTAMP") { realtimeSpan = span }
                default: break
                }
            }
        } catch {
            return false
        }

        if let message = messageSpan {
            // journald -o json: MESSAGE is a string, or an array of byte values when it held control bytes.
            let realtime = { realtimeSpan.flatMap { JSONScanner.double(text, $0) }.map { $0 / 1_000_000 } }
            func parseMessage(_ buffer: UnsafeRawBufferPointer) -> Bool {
                if buffer.first == UInt8(ascii: "{") { return parse(buffer, clock: clock, state: &state, into: &record) }
                return parseSidekiqText(buffer, fallbackTime: realtime, state: &state, into: &record)
            }
            let parsed: Bool
            if message.kind == .string && !message.hasEscapes {
                parsed = parseMessage(UnsafeRawBufferPointer(rebasing: text[message.start..<message.end]))  // no copy
            } else if message.kind == .string {
                parsed = JSONScanner.decodeEscapes(UnsafeRawBufferPointer(rebasing: text[message.start..<message.end]))
                    .withUnsafeBytes(parseMessage)
            } else if message.kind == .array {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(message.end - message.start)
                var value = 0
                var inNumber = false
                for byte in text[(message.start + 1)..<(message.end - 1)] {
                    // Wrapping: a value past 255 is junk whatever it becomes, and must not trap.
                    if byte >= 48, byte <= 57 { value = value &* 10 &+ Int(byte - 48); inNumber = true }
                    else if inNumber { bytes.append(UInt8(truncatingIfNeeded: value)); value = 0; inNumber = false }
                }
                if inNumber { bytes.append(UInt8(truncatingIfNeeded: value)) }
                parsed = bytes.withUnsafeBytes(parseMessage)
            } else {
                return false
            }
            guard parsed else { return false }
            if record.host < 0, let span = hostnameSpan, span.kind == .string {
                if span.hasEscapes {
                    record.host = state.names.intern(JSONScanner.string(text, span)!)
                } else {
                    record.host = state.names.intern(UnsafeRawBufferPointer(rebasing: text[span.start..<span.end]))
                }
            }
            record.format = .journaldJSON
            return true
        }

        // Sidekiq's JSON formatter: {"ts","pid","tid","lvl","msg","ctx"}.
        guard let tsSpan = ts, let pidSpan, let tidSpan, let msgSpan,
            tsSpan.end - tsSpan.start == 24, let time = parseTimestamp(text, at: tsSpan.start, hour: &state.hour),
            let pid = JSONScanner.double(text, pidSpan).flatMap({ Int(exactly: $0) }), let tid = JSONScanner.string(text, tidSpan),
            let message = JSONScanner.string(text, msgSpan)
        else { return false }
        var jid: String?
        var jobClass: String?
        var elapsed: Double?
        var jobRaised = false
        if let ctx = ctxSpan, ctx.kind == .object {
            let context = UnsafeRawBufferPointer(rebasing: text[ctx.start..<ctx.end])
            try? JSONScanner.scanObject(context) { key, span in
                if JSONScanner.key(key, is: "jid") { jid = JSONScanner.string(context, span) }
                else if JSONScanner.key(key, is: "class") { jobClass = JSONScanner.string(context, span) }
                else if JSONScanner.key(key, is: "elapsed") { elapsed = JSONScanner.double(context, span) }  // a string before 6.4.1
                else if JSONScanner.key(key, is: "context") { jobRaised = JSONScanner.string(context, span) == "Job raised exception" }
            }
        }
        record.format = .json
        record.pid = pid
        switch message {
        case "start", "done", "fail":
            guard let jid, let jobClass else { return true }
            record.kind = message == "start" ? .start : .end
            record.failed = message == "fail"
            record.time = time
            record.elapsed = message == "start" ? nil : elapsed
            record.tid = LogToken(tid, names: &state.names)
            record.jid = LogToken(jid, names: &state.names)
            record.name = state.names.intern(jobClass)
        default:
            let bytes = Array(message.utf8)
            let context: [UInt8] = jobRaised ? Array("Job raised exception".utf8) : []
            let raised = bytes.withUnsafeBytes { buffer in context.withUnsafeBytes { errorClass(buffer, context: $0) } }
            if let raised {
                record.kind = .error
                record.tid = LogToken(tid, names: &state.names)
                record.name = state.names.intern(raised)
            } else if bytes.withUnsafeBytes(isHardShutdown) {
                record.kind = .hardShutdown
            }
        }
        return true
    }

    // MARK: journald short prefixes

    /// Finds `<host> <ident>[<pid>]: ` after a journald time; returns where the host is and where the message starts.
    static func journaldPrefix(_ text: UnsafeRawBufferPointer) -> (hostStart: Int, hostEnd: Int, bodyStart: Int)? {
        guard let bracketColon = find(text, from: 0, "]: "), bracketColon < 200 else { return nil }
        var open = bracketColon
        while open > 0, text[open - 1] >= 48, text[open - 1] <= 57 { open -= 1 }
        guard open > 0, open < bracketColon, text[open - 1] == UInt8(ascii: "[") else { return nil }
        var identStart = open - 1
        while identStart > 0, text[identStart - 1] != 32 { identStart -= 1 }
        guard identStart > 1 else { return nil }
        var hostStart = identStart - 1
        while hostStart > 0, text[hostStart - 1] != 32 { hostStart -= 1 }
        guard hostStart > 0, hostStart < identStart - 1 else { return nil }
        // What precedes the host must look like a journald time: "Nov 26 17:30:57", an ISO time, or "[epoch]".
        let first = text[0]
        guard (first >= 65 && first <= 90) || (first >= 48 && first <= 57) || first == UInt8(ascii: "[") else { return nil }
        return (hostStart, identStart - 1, bracketColon + 3)
    }

    // MARK: helpers

    /// Parses `2026-11-26T17:47:15.810Z` at `index` to epoch seconds; `hour` remembers the last hour.
    static func parseTimestamp(_ text: UnsafeRawBufferPointer, at index: Int, hour: inout TimestampHour) -> Double? {
        guard index + 24 <= text.count else { return nil }
        func digits(_ offset: Int, _ length: Int) -> Int? {
            var value = 0
            for position in (index + offset)..<(index + offset + length) {
                let byte = text[position]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard text[index + 13] == 58, text[index + 16] == 58, text[index + 19] == 46, text[index + 23] == 90,
            let minute = digits(14, 2), let second = digits(17, 2), let millis = digits(20, 3), minute < 60, second < 61
        else { return nil }
        // "2026-11-26T17" as two overlapping words.
        let prefix = (text.loadUnaligned(fromByteOffset: index, as: UInt64.self), text.loadUnaligned(fromByteOffset: index + 5,
            as: UInt64.self))
        if prefix != hour.prefix {
            guard text[index + 4] == 45, text[index + 7] == 45, text[index + 10] == 84,
                let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2), let hourOfDay = digits(11, 2),
                (1...12).contains(month), (1...31).contains(day), hourOfDay < 24
            else { return nil }
            hour = TimestampHour(prefix: prefix, start: daysFromCivil(year: year, month: month, day: day) * 86400 + hourOfDay * 3600)
        }
        return Double(hour.start + minute * 60 + second) + Double(millis) / 1000
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// The length of a level word (`DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`, `ANY`) at `index`, or nil.
    static func levelLength(_ text: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard index < text.count else { return nil }
        let length: Int
        switch text[index] {
        case UInt8(ascii: "I"): guard matches(text, at: index, "INFO") else { return nil }; length = 4
        case UInt8(ascii: "W"): guard matches(text, at: index, "WARN") else { return nil }; length = 4
        case UInt8(ascii: "D"): guard matches(text, at: index, "DEBUG") else { return nil }; length = 5
        case UInt8(ascii: "E"): guard matches(text, at: index, "ERROR") else { return nil }; length = 5
        case UInt8(ascii: "F"): guard matches(text, at: index, "FATAL") else { return nil }; length = 5
        case UInt8(ascii: "A"): guard matches(text, at: index, "ANY") else { return nil }; length = 3
        default: return nil
        }
        let after = index + length
        guard after == text.count || text[after] == 32 || text[after] == 27 || text[after] == UInt8(ascii: ":") else { return nil }
        return length
    }

    /// Parses a plain decimal such as `25.003` without making a String (falls back for exponents).
    static func decimal(_ text: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
        var index = start
        var whole: Double = 0
        var digits = 0
        while index < end, text[index] >= 48, text[index] <= 57 { whole = whole * 10 + Double(text[index] - 48); index += 1; digits += 1 }
        if index < end, text[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Double = 1
            var fraction: Double = 0
            while index < end, text[index] >= 48, text[index] <= 57 { fraction = fraction * 10
                + Double(text[index] - 48); scale *= 10; index += 1; digits += 1 }
            whole += fraction / scale
        }
        if index == end && digits > 0 { return whole }
        return Double(String(decoding: text[start..<end], as: UTF8.self))
    }

    static func skipANSI(_ text: UnsafeRawBufferPointer, _ index: inout Int) {
        while index + 1 < text.count, text[index] == 27, text[index + 1] == UInt8(ascii: "[") {
            var cursor = index + 2
            while cursor < text.count, text[cursor] != UInt8(ascii: "m") { cursor += 1 }
            index = min(text.count, cursor + 1)
        }
    }

    /// Calls `body` for each `key=value` token between `from` and `to`. A value runs to the next ` key=`,
    /// so `job={"retry"=>3, …}` and `tags=a,b` stay whole.
    static func forEachContextPair(_ text: UnsafeRawBufferPointer, from: Int, to: Int, _ body: (UnsafeRawBufferPointer, Int, Int) -> Void) {
        var index = from
        while index < to {
            while index < to, text[index] == 32 { index += 1 }
            let keyStart = index
            while index < to, text[index] != UInt8(ascii: "="), text[index] != 32 { index += 1 }
            guard index < to, text[index] == UInt8(ascii: "=") else { while index < to, text[index] != 32 { index += 1 }; continue }
            let key = UnsafeRawBufferPointer(rebasing: text[keyStart..<index])
            index += 1
            let valueStart = index
            while index < to, text[index] != 32 { index += 1 }
            body(key, valueStart, index)
        }
    }

    static func isClassByte(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 95 || byte == 58
    }

    @inline(__always)
    static func matches(_ text: UnsafeRawBufferPointer, at index: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        return index + length <= text.count && memcmp(text.baseAddress! + index, literal.utf8Start, length) == 0
    }

    @inline(__always)
    static func equals(_ text: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        text.count == literal.utf8CodeUnitCount && memcmp(text.baseAddress!, literal.utf8Start, text.count) == 0
    }

    @inline(__always)
    static func startsWith(_ text: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool { matches(text, at: 0, literal) }

    static func find(_ text: UnsafeRawBufferPointer, from: Int, _ literal: StaticString) -> Int? {
        let length = literal.utf8CodeUnitCount
        guard from + length <= text.count, let base = text.baseAddress else { return nil }
        let first = Int32(literal.utf8Start.pointee)
        var index = from
        // memchr for the first byte, then compare the rest (memmem is not exported by Glibc's module).
        while index + length <= text.count, let hit = memchr(base + index, first, text.count - length + 1 - index) {
            let position = UnsafeRawPointer(hit) - base
            if memcmp(base + position, literal.utf8Start, length) == 0 { return position }
            index = position + 1
        }
        return nil
    }
}
