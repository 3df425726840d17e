import Foundation

/// The rules `recommend` draws on: the Mastodon rules compiled into the binary, optionally merged with a
/// user's `--rules FILE` that adds rules for other apps or overrides bundled ones.
public struct RuleBook: Sendable, Equatable {
    /// The only file format version this build reads.
    public static let formatVersion = 1

    public var app: String
    /// The scheduler the app normally uses; a `disable_schedule` step still names the one found in Redis.
    public var defaultScheduler: SchedulerKind?
    public var rules: [Rule]

    public init(app: String, defaultScheduler: SchedulerKind? = nil, rules: [Rule]) {
        self.app = app
        self.defaultScheduler = defaultScheduler
        self.rules = rules
    }

    /// The Mastodon rules from rules/mastodon.json, compiled in by rules/generate.py.
    public static let bundled: RuleBook = {
        do {
            return try decode(Data(BundledRules.json.utf8), fileName: BundledRules.fileName)
        } catch {
            // RuleBookTests decodes the bundled file, so this only fires on a build that skipped the tests.
            fatalError("bundled rules: \(error)")
        }
    }()

    /// Reads and decodes a rules file.
    /// - Throws: `KiqprofError.unreadableFile` or `.invalidData` naming the file and where in it the problem is.
    public static func load(path: String) throws(KiqprofError) -> RuleBook {
        guard let bytes = FileReader.readAll(path) else {
            throw .unreadableFile(path: path, reason: "cannot read the rules file")
        }
        return try decode(Data(bytes), fileName: path)
    }

    /// Decodes a rules document. Syntax errors are located as `FILE:LINE:COLUMN`; errors in the content as
    /// `FILE: rules[3].actions[0].kind`, with what was expected there.
    public static func decode(_ data: Data, fileName: String) throws(KiqprofError) -> RuleBook {
        let bytes = [UInt8](data)
        let syntaxError: JSONScanError? = bytes.withUnsafeBytes { buffer in
            do throws(JSONScanError) {
                _ = try JSONScanner.scanValue(buffer)
                return nil
            } catch {
                return error
            }
        }
        if let error = syntaxError {
            let (line, column) = lineAndColumn(of: error.offset, in: bytes)
            throw .invalidData(location: "\(fileName):\(line):\(column)", reason: "invalid JSON: expected \(error.expected)")
        }
        let book: RuleBook
        do {
            book = try JSONDecoder().decode(RuleBook.self, from: data)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw .invalidData(location: path.isEmpty ? fileName : "\(fileName): \(path)", reason: reason)
        } catch {
            throw .invalidData(location: fileName, reason: "\(error)")
        }
        var seen: [String: Int] = [:]
        for (index, rule) in book.rules.enumerated() {
            if let first = seen[rule.key] {
                throw .invalidData(
                    location: "\(fileName): rules[\(index)]", reason: "a second rule for \(rule.key) (the first is rules[\(first)])")
            }
            seen[rule.key] = index
        }
        return book
    }

    /// This book with `other`'s rules laid over it. A rule of `other` replaces the rule here with the same
    /// schedule name (or, when it names no schedule, the same class; or the process rule), in place;
    /// rules that replace nothing are appended in `other`'s order.
    public func merged(with other: RuleBook) -> RuleBook {
        var result = self
        for rule in other.rules {
            if let index = result.rules.firstIndex(where: { rule.overrides($0) }) {
                result.rules[index] = rule
            } else {
                result.rules.append(rule)
            }
        }
        if other.app != app { result.app = app + "+" + other.app }
        return result
    }

    /// Job rules for a class or a schedule name, in book order: a rule matches when its schedule equals
    /// `schedule` or its class equals `jobClass`. Either argument may be nil.
    public func rules(matchingClass jobClass: String?, schedule: String?) -> [Rule] {
        rules.filter { rule in
            guard rule.scope == .job else { return false }
            if let schedule, rule.schedule == schedule { return true }
            if let jobClass, rule.jobClass == jobClass { return true }
            return false
        }
    }

    /// Rules about the Sidekiq process as a whole (memory, threads, the scheduler queue).
    public var processRules: [Rule] { rules.filter { $0.scope == .process } }

    // MARK: - Error text

    /// An array index as a coding-path element.
    struct IndexKey: CodingKey {
        let intValue: Int?
        let stringValue: String
        init(_ index: Int) {
            intValue = index
            stringValue = "Index \(index)"
        }
        init?(intValue: Int) { self.init(intValue) }
        init?(stringValue: String) { nil }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    private static func describe(_ error: DecodingError) -> (path: String, reason: String) {
        switch error {
        case .keyNotFound(let key, let context):
            let reason = context.debugDescription.hasSuffix("'\(key.stringValue)'")
                ? context.debugDescription : "missing field '\(key.stringValue)'"
            return (path(context.codingPath), reason)
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "expected \(typeName(type))" + found(context))
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "expected \(typeName(type)), found null")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ("", "\(error)")
        }
    }

    /// Foundation says "Expected to decode Array<Any> but found a dictionary instead."; keep the JSON word for what was found.
    private static func found(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        guard let start = text.range(of: "but found ")?.upperBound else { return "" }
        var what = String(text[start...])
        if let end = what.range(of: " instead") { what = String(what[..<end.lowerBound]) }
        for article in ["a ", "an "] where what.hasPrefix(article) { what.removeFirst(article.count) }
        let jsonWords = [
            "dictionary": "an object", "array": "an array", "string": "a string", "number": "a number", "bool": "true or false",
            "null": "null",
        ]
        guard let word = jsonWords.first(where: { what.hasPrefix($0.key) })?.value else { return "" }
        return ", found " + word
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name == "String" { return "a string" }
        if name == "Int" || name == "Double" { return "a number" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
        return name
    }

    private static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1)
    }
}

extension RuleBook: Decodable {
    enum CodingKeys: String, CodingKey {
        case version, app, rules
        case defaultScheduler = "default_scheduler"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container,
                    debugDescription: "format version \(version) is not supported; expected \(Self.formatVersion)")
        }
        var scheduler: SchedulerKind?
        if let text = try container.decodeIfPresent(String.self, forKey: .defaultScheduler) {
            guard let kind = SchedulerKind(rawValue: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .defaultScheduler, in: container,
                    debugDescription: "unknown scheduler '\(text)'; expected sidekiq-scheduler or sidekiq-cron")
            }
            scheduler = kind
        }
        self.init(
            app: try container.decode(String.self, forKey: .app), defaultScheduler: scheduler,
            rules: try container.decode([Rule].self, forKey: .rules))
    }
}

extension Rule {
    /// Whether this (user) rule takes the place of `other` when merged: same schedule name; or, naming no
    /// schedule, the same class; or both are process rules.
    func overrides(_ other: Rule) -> Bool {
        if scope == .process || other.scope == .process { return scope == other.scope }
        if let schedule { return other.schedule == schedule }
        return jobClass != nil && other.jobClass == jobClass
    }
}
