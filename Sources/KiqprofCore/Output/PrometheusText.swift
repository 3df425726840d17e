/// Builds the Prometheus text exposition format (version 0.0.4) by hand: HELP and TYPE once per family,
/// label values escaped, numbers in Go's float syntax. Smaller than a client library for what kiqprof
/// exports: values it already holds, rendered on demand.
public struct PrometheusText: Sendable {
    public enum Kind: String, Sendable {
        case gauge, counter, histogram
    }

    public private(set) var text = ""
    private var families = Set<String>()

    public init() {}

    /// Starts a metric family; a second call for the same name is ignored (its samples still follow).
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        guard families.insert(name).inserted else { return }
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    /// A gauge family with one sample, skipped when the value is unknown (never a made-up zero).
    public mutating func gauge(_ name: String, _ help: String, _ value: Double?, labels: [(String, String)] = []) {
        guard let value else { return }
        family(name, .gauge, help)
        sample(name, labels, value)
    }

    /// One labelled histogram: cumulative `le` buckets, `+Inf`, `_sum` and `_count`.
    public mutating func histogram(_ name: String, labels: [(String, String)], bounds: [Double], counts: [Int], sum: Double) {
        var cumulative = 0
        for (bound, count) in zip(bounds, counts) {
            cumulative += count
            sample(name + "_bucket", labels + [("le", Self.number(bound))], Double(cumulative))
        }
        let total = counts.reduce(0, +)
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(total))
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, Double(total))
    }

    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Integers without a fraction, others as Swift prints them (Go's ParseFloat reads both); NaN and ±Inf spelled out.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
