import Foundation

/// A dotenv file such as Mastodon's `.env.production`: `KEY=value` lines, `#` comments, optional `export`,
/// single or double quotes. Lines that are not assignments are skipped and reported, never fatal.
public struct EnvironmentFile: Sendable, Equatable {
    public var values: [String: String]
    /// `path:line: reason` for each skipped line.
    public var skipped: [String]

    public init(values: [String: String], skipped: [String] = []) {
        self.values = values
        self.skipped = skipped
    }

    public init(path: String) throws {
        guard let data = FileReader.readAll(path) else {
            throw KiqprofError.unreadableFile(path: path, reason: "cannot read the env file")
        }
        self = Self.parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) -> EnvironmentFile {
        var values: [String: String] = [:]
        var skipped: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingWhitespace() }
            guard let equals = line.firstIndex(of: "=") else {
                skipped.append("\(name):\(number + 1): expected KEY=value")
                continue
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                skipped.append("\(name):\(number + 1): '\(key)' is not a variable name")
                continue
            }
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            if let quote = value.first, quote == "\"" || quote == "'" {
                let body = value.dropFirst()
                if let close = body.firstIndex(of: quote) {
                    value = String(body[..<close])
                    if quote == "\"" { value = value.replacingEscapes() }
                } else {
                    skipped.append("\(name):\(number + 1): unterminated \(quote) quote for \(key)")
                    continue
                }
            } else if let comment = value.range(of: " #") {
                value = String(value[..<comment.lowerBound]).trimmingWhitespace()
            }
            values[key] = value
        }
        return EnvironmentFile(values: values, skipped: skipped)
    }
}

extension String {
    fileprivate func replacingEscapes() -> String {
        var out = ""
        var escaping = false
        for character in self {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
