/// A JSON document built in a fixed key order, so kiqprof's `--json` output is stable and diffable.
/// Unknown values are `.null`, never a made-up zero (docs/cli.md).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    public static func int(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
    public static func int64(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
    /// A number rounded to `places` decimals (durations to the millisecond, not float noise).
    public static func number(_ value: Double?, places: Int = 3) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return .double((value * scale).rounded() / scale)
    }
    public static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    /// An epoch time as the ISO-8601 UTC string with milliseconds that the contract promises.
    public static func time(_ epochSeconds: Double?) -> JSONValue { epochSeconds.map { .string(ISOTimestamp.format($0)) } ?? .null }
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
    public static func counts(_ values: [String: Int]) -> JSONValue {
        .object(values.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })
    }

    /// Pretty-printed with two-space indentation and a trailing newline.
    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        if pretty { out.append("\n") }
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        switch self {
        case .null: out.append("null")
        case .bool(let value): out.append(value ? "true" : "false")
        case .int(let value): out.append(String(value))
        case .double(let value):
            if value == value.rounded(), abs(value) < 1e15 { out.append(String(Int64(value))) } else { out.append(String(value)) }
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            if values.isEmpty { out.append("[]"); return }
            out.append("[")
            for (offset, value) in values.enumerated() {
                if offset > 0 { out.append(",") }
                Self.newline(&out, indent.map { $0 + 1 })
                value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            Self.newline(&out, indent)
            out.append("]")
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append("{")
            for (offset, member) in members.enumerated() {
                if offset > 0 { out.append(",") }
                Self.newline(&out, indent.map { $0 + 1 })
                Self.writeString(member.0, to: &out)
                out.append(indent == nil ? ":" : ": ")
                member.1.write(to: &out, indent: indent.map { $0 + 1 })
            }
            Self.newline(&out, indent)
            out.append("}")
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out.append("\n")
        out.append(String(repeating: "  ", count: indent))
    }

    private static func writeString(_ value: String, to out: inout String) {
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
