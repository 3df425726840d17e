import Foundation

/// The parts of a systemd service unit (`mastodon-sidekiq.service`) that size Sidekiq: `Environment=` variables,
/// the `ExecStart=` command line, `RuntimeMaxSec=` and `MemoryMax=`. Other sections and keys are ignored; a line
/// that is not `Key=value` is reported with its position, never fatal.
public struct SystemdUnitFile: Sendable, Equatable {
    /// `Environment=` variables, the last assignment winning as in systemd.
    public var environment: [String: String] = [:]
    public var environmentFiles: [String] = []
    /// `ExecStart=`'s words, with systemd's prefixes (`-`, `@`, `+`, `!`) removed.
    public var execStart: [String] = []
    public var runtimeMaxSeconds: Double?
    /// `MemoryMax=` (or the older `MemoryLimit=`) in MiB; nil when absent, `infinity` or a percentage.
    public var memoryMaxMB: Double?
    /// `path:line: reason` for each line that could not be read.
    public var skipped: [String] = []

    public init() {}

    public init(path: String) throws {
        guard let data = FileReader.readAll(path) else {
            throw KiqprofError.unreadableFile(path: path, reason: "cannot read the systemd unit")
        }
        self = Self.parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) -> SystemdUnitFile {
        var unit = SystemdUnitFile()
        var section = ""
        var pending = "", pendingLine = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            // A trailing backslash continues the line (systemd joins them with a space).
            if pending.isEmpty && (line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";")) { continue }
            if pending.isEmpty { pendingLine = index + 1 }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()) + " "
                continue
            }
            let logical = pending + line
            pending = ""
            if logical.hasPrefix("[") && logical.hasSuffix("]") {
                section = String(logical.dropFirst().dropLast())
                continue
            }
            guard let equals = logical.firstIndex(of: "=") else {
                unit.skipped.append("\(name):\(pendingLine): expected Key=value")
                continue
            }
            guard section == "Service" else { continue }
            let key = logical[..<equals].trimmingCharacters(in: .whitespaces)
            let value = logical[logical.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            unit.apply(key: key, value: value, position: "\(name):\(pendingLine)")
        }
        return unit
    }

    private mutating func apply(key: String, value: String, position: String) {
        switch key {
        case "Environment":
            for word in Self.words(value) {
                guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                    skipped.append("\(position): Environment word '\(word)' is not NAME=value")
                    continue
                }
                environment[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
        case "EnvironmentFile":
            environmentFiles.append(value.hasPrefix("-") ? String(value.dropFirst()) : value)
        case "ExecStart":
            var words = Self.words(value)
            if var first = words.first {
                while let prefix = first.first, "-@+!:".contains(prefix) { first.removeFirst() }
                words[0] = first
            }
            execStart = words
        case "RuntimeMaxSec":
            runtimeMaxSeconds = Self.timeSpan(value)
            if runtimeMaxSeconds == nil && value != "infinity" {
                skipped.append("\(position): RuntimeMaxSec '\(value)' is not a time span")
            }
        case "MemoryMax", "MemoryLimit":
            memoryMaxMB = Self.bytes(value).map { $0 / 1_048_576 }
        default:
            break
        }
    }

    /// Sidekiq's thread count from `ExecStart=`: `-c 25`, `-c25`, `--concurrency 25` or `--concurrency=25`.
    public var concurrencyFlag: Int? {
        for (index, word) in execStart.enumerated() {
            if word == "-c" || word == "--concurrency" {
                return index + 1 < execStart.count ? Int(execStart[index + 1]) : nil
            }
            if word.hasPrefix("--concurrency=") { return Int(word.dropFirst("--concurrency=".count)) }
            if word.hasPrefix("-c"), !word.hasPrefix("--"), let number = Int(word.dropFirst(2)) { return number }
        }
        return nil
    }

    /// Splits on whitespace, keeping double- or single-quoted runs together (their quotes removed).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = "", quote: Character?, started = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                started = true
            } else if character == " " || character == "\t" {
                if started || !current.isEmpty { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
            }
        }
        if started || !current.isEmpty { words.append(current) }
        return words
    }

    /// systemd time spans: `21600`, `6h`, `6h 30min`, `90s`, `1d`.
    static func timeSpan(_ text: String) -> Double? {
        let units: [(String, Double)] = [("usec", 1e-6), ("msec", 1e-3), ("ms", 1e-3), ("seconds", 1), ("second", 1), ("sec", 1),
                                         ("s", 1), ("minutes", 60), ("minute", 60), ("min", 60), ("m", 60), ("hours", 3600),
                                         ("hour", 3600), ("hr", 3600), ("h", 3600), ("days", 86400), ("day", 86400), ("d", 86400),
                                         ("weeks", 604_800), ("week", 604_800), ("w", 604_800)]
        var total = 0.0, found = false
        for part in text.split(separator: " ") {
            let digits = part.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            let unit = String(part.dropFirst(digits.count))
            guard let scale = unit.isEmpty ? 1 : units.first(where: { $0.0 == unit })?.1 else { return nil }
            total += number * scale
            found = true
        }
        return found ? total : nil
    }

    /// systemd byte sizes with base-1024 suffixes: `1536M`, `2G`, `800000000`.
    static func bytes(_ text: String) -> Double? {
        let scales: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        if let last = text.last, let scale = scales[Character(last.uppercased())] { return Double(text.dropLast()).map { $0 * scale } }
        return Double(text)
    }
}
