import Foundation

/// Reads OOM kills (and boots) out of kernel logs in the forms people have: `dmesg` (seconds since boot,
/// `-T`, or `--time-format iso`), `journalctl -k` (`short`, `short-iso`, `short-precise`, `json`) and syslog's
/// `/var/log/kern.log` (traditional or RFC 3339 times). Pure: lines in, kills out.
///
/// The kernel reports one kill over several lines (mm/oom_kill.c): `X invoked oom-killer: …` starts the report;
/// since 4.19 an `oom-kill:constraint=…,task_memcg=…,task=NAME,pid=PID,…` line names the cgroup; the kill itself
/// is `[Memory cgroup ]Out of memory: Killed process PID (NAME) total-vm:…kB, anon-rss:…kB, file-rss:…kB,
/// shmem-rss:…kB, …` (5.x on), or before that `… Kill process PID (NAME) score N or sacrifice child` followed by
/// `Killed process PID (NAME) total-vm:…`.
public struct KernelLogParser {
    /// What a time without its own year or zone, or a time since boot, is taken relative to.
    public struct Clock: Sendable, Equatable {
        /// The year of syslog and `journalctl -o short` times (`Dec  4 20:41:01`).
        public var year: Int
        /// Seconds east of UTC of times written without an offset.
        public var utcOffset: Int
        /// The boot the `dmesg` seconds count from (epoch seconds); nil when unknown.
        public var bootTime: Double?

        public init(year: Int, utcOffset: Int, bootTime: Double?) {
            self.year = year
            self.utcOffset = utcOffset
            self.bootTime = bootTime
        }
    }

    public var clock: Clock
    /// The host of lines that do not name one (`dmesg`).
    public var defaultHost: String
    public private(set) var kills: [OOMKill] = []
    /// Boots the log shows (`Linux version …` at the start of a boot), epoch seconds.
    public private(set) var boots: [Double] = []
    public private(set) var lines = 0
    /// Lines whose form this reader does not know, with why (the first 10).
    public private(set) var notUnderstood = 0
    public private(set) var examples: [(line: Int, reason: String)] = []

    /// What an `oom-kill:` line or an older `Kill process … score` line said about a pid before its kill line.
    private struct Pending {
        var constraint: String?
        var oomCgroup: String?
        var cgroup: String?
    }

    private var pending: [Int: Pending] = [:]
    private var trigger: String?

    public init(clock: Clock, defaultHost: String) {
        self.clock = clock
        self.defaultHost = defaultHost
    }

    public mutating func consume(_ line: String, number: Int) {
        lines += 1
        guard !line.allSatisfy(\.isWhitespace) else { return }
        guard let entry = entry(line) else {
            skip(number, "not a kernel log line (dmesg, journalctl -k or kern.log)")
            return
        }
        guard let (time, host, message) = entry else { return }  // another program's journal entry
        guard let time else {
            skip(number, "a dmesg time counts from boot: give --boot-time (this boot's is in /proc/stat)")
            return
        }
        read(message, at: time, host: host ?? defaultHost)
    }

    private mutating func skip(_ number: Int, _ reason: String) {
        notUnderstood += 1
        if examples.count < 10 { examples.append((number, reason)) }
    }

    // MARK: - The message

    private mutating func read(_ raw: Substring, at time: Double, host: String) {
        // kern.log keeps the kernel's own `[ 1234.567890] ` in front of the message.
        var message = raw
        if message.first == "[", let close = message.firstIndex(of: "]"),
           Double(message[message.index(after: message.startIndex)..<close].trimmingCharacters(in: .whitespaces)) != nil {
            message = message[message.index(after: close)...].drop { $0 == " " }
        }
        if message.hasPrefix("Linux version ") {
            boots.append(time)
        } else if let range = message.range(of: " invoked oom-killer:") {
            trigger = String(message[..<range.lowerBound])
        } else if message.hasPrefix("oom-kill:") {
            var fields: [Substring: Substring] = [:]
            for pair in message.dropFirst(9).split(separator: ",") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                fields[pair[..<equals]] = pair[pair.index(after: equals)...]
            }
            if let pid = fields["pid"].flatMap({ Int($0) }) {
                pending[pid] = Pending(constraint: fields["constraint"].map(String.init), oomCgroup: fields["oom_memcg"].map(String.init),
                                       cgroup: fields["task_memcg"].map(String.init))
            }
        } else if let (pid, name, rest) = Self.process(after: "Killed process ", in: message) {
            // `[Memory cgroup ]Out of memory: Killed process …` (5.x on) or the bare older form.
            var known = pending.removeValue(forKey: pid) ?? Pending()
            if known.constraint == nil && message.hasPrefix("Memory cgroup out of memory") { known.constraint = "CONSTRAINT_MEMCG" }
            let kill = OOMKill(t: time, host: host, pid: pid, process: name, rssKiB: Self.rss(rest), cgroup: known.cgroup,
                               oomCgroup: known.oomCgroup, constraint: known.constraint, trigger: trigger)
            if !kills.contains(where: { $0.host == kill.host && $0.pid == kill.pid && abs($0.t - kill.t) < 1 }) { kills.append(kill) }
            trigger = nil
        } else if let (pid, _, _) = Self.process(after: "Kill process ", in: message) {
            // Before 4.19: the chosen victim, whose `Killed process` line follows.
            var known = pending[pid] ?? Pending()
            if message.hasPrefix("Memory cgroup out of memory") { known.constraint = "CONSTRAINT_MEMCG" }
            pending[pid] = known
        }
    }

    /// `… PREFIX PID (NAME) rest`: the pid, the name and what follows.
    private static func process(after prefix: String, in message: Substring) -> (Int, String, Substring)? {
        guard let start = message.range(of: prefix)?.upperBound, let open = message[start...].firstIndex(of: " "),
              let pid = Int(message[start..<open]), message[message.index(after: open)...].first == "(",
              let close = message[open...].firstIndex(of: ")") else { return nil }
        return (pid, String(message[message.index(open, offsetBy: 2)..<close]), message[message.index(after: close)...])
    }

    /// anon-rss + file-rss + shmem-rss, in KiB; nil when the line lists none.
    private static func rss(_ text: Substring) -> Int? {
        var total: Int?
        for key in ["anon-rss:", "file-rss:", "shmem-rss:"] {
            guard let start = text.range(of: key)?.upperBound else { continue }
            let digits = text[start...].prefix { $0.isNumber }
            if let value = Int(digits) { total = (total ?? 0) + value }
        }
        return total
    }

    // MARK: - The line's time and host

    /// nil: not a form this reader knows. `.some(nil)`: an entry of another program (journald json).
    /// Otherwise the time (nil for dmesg seconds without a boot time), the host if the line names one, the message.
    private func entry(_ line: String) -> (Double?, String?, Substring)?? {
        let text = Substring(line)
        if text.first == "{" { return journalJSON(line) }
        if let (time, rest) = Self.isoTime(text) {
            if let (host, message) = Self.syslogBody(rest) { return .some((time, host, message)) }
            return .some((time, nil, rest))  // dmesg --time-format iso
        }
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let inside = text[text.index(after: text.startIndex)..<close].trimmingCharacters(in: .whitespaces)
            let message = text[text.index(after: close)...].drop { $0 == " " }
            if let seconds = Double(inside) { return .some((clock.bootTime.map { $0 + seconds }, nil, message)) }
            // dmesg -T: `[Fri Dec  4 20:40:16 2026]`, local time.
            let parts = inside.split(separator: " ")
            guard parts.count == 5, let year = Int(parts[4]),
                  let time = Self.localTime(month: parts[1], day: parts[2], clock: parts[3], year: year, offset: clock.utcOffset)
            else { return nil }
            return .some((time, nil, message))
        }
        // syslog and journalctl -o short/short-precise: `Dec  4 20:41:01[.199618] HOST kernel: …`
        let parts = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard parts.count == 4, let time = Self.localTime(month: parts[0], day: parts[1], clock: parts[2], year: clock.year,
                                                          offset: clock.utcOffset),
              let (host, message) = Self.syslogBody(parts[3]) else { return nil }
        return .some((time, host, message))
    }

    /// `HOST kernel: MESSAGE`.
    private static func syslogBody(_ text: Substring) -> (String, Substring)? {
        guard let space = text.firstIndex(of: " ") else { return nil }
        let rest = text[text.index(after: space)...]
        guard rest.hasPrefix("kernel: ") else { return nil }
        return (String(text[..<space]), rest.dropFirst(8))
    }

    /// A journald `-o json` entry: `.some(nil)` unless it is the kernel's.
    private func journalJSON(_ line: String) -> (Double?, String?, Substring)?? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
        if let transport = object["_TRANSPORT"] as? String, transport != "kernel" { return .some(nil) }
        let message: String
        if let text = object["MESSAGE"] as? String {
            message = text
        } else if let bytes = object["MESSAGE"] as? [Int] {
            message = String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        } else {
            return .some(nil)
        }
        guard let micros = (object["__REALTIME_TIMESTAMP"] as? String).flatMap(Double.init) else { return nil }
        return .some((micros / 1_000_000, object["_HOSTNAME"] as? String, Substring(message)))
    }

    /// `2026-12-04T20:41:01[.195336|,173229](+00:00|+0000|Z) rest`.
    private static func isoTime(_ text: Substring) -> (Double, Substring)? {
        guard text.count > 20, let space = text.firstIndex(of: " ") else { return nil }
        let stamp = text[..<space]
        let digits = Array(stamp.utf8)
        guard digits.count >= 20, digits[4] == UInt8(ascii: "-"), digits[10] == UInt8(ascii: "T"),
              let year = Int(stamp.prefix(4)), let month = Int(stamp.dropFirst(5).prefix(2)), let day = Int(stamp.dropFirst(8).prefix(2)),
              let hour = Int(stamp.dropFirst(11).prefix(2)), let minute = Int(stamp.dropFirst(14).prefix(2)),
              let second = Int(stamp.dropFirst(17).prefix(2)) else { return nil }
        var rest = stamp.dropFirst(19)
        var fraction = 0.0
        if let mark = rest.first, mark == "." || mark == "," {
            let part = rest.dropFirst().prefix { $0.isNumber }
            fraction = Double("0." + part) ?? 0
            rest = rest.dropFirst(1 + part.count)
        }
        guard let offset = rest == "Z" ? 0 : ZoneOffset.parse(String(rest)) else { return nil }
        let local = epochDays(year: year, month: month, day: day) * 86400 + Double(hour * 3600 + minute * 60 + second) + fraction
        return (local - Double(offset), text[text.index(after: space)...])
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Dec` `4` `20:41:01[.199618]` in a year and a zone.
    private static func localTime(month: Substring, day: Substring, clock: Substring, year: Int, offset: Int) -> Double? {
        guard let monthIndex = months.firstIndex(of: String(month)), let dayNumber = Int(day) else { return nil }
        let fields = clock.split(separator: ":")
        guard fields.count == 3, let hour = Int(fields[0]), let minute = Int(fields[1]), let seconds = Double(fields[2]) else { return nil }
        let days = epochDays(year: year, month: monthIndex + 1, day: dayNumber)
        return days * 86400 + Double(hour * 3600 + minute * 60) + seconds - Double(offset)
    }

    /// Days from 1970-01-01 to a civil date (proleptic Gregorian).
    private static func epochDays(year: Int, month: Int, day: Int) -> Double {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Double(era * 146097 + dayOfEra - 719468)
    }
}
