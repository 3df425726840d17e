/// Escapes untrusted text for HTML and inline SVG. Class names, queues, schedule names, error messages and
/// args come from Redis or logs, which anyone who can enqueue a job (on a federated server: anyone) controls,
/// so every string is escaped, never checked for being "safe".
public enum HTMLText {
    /// For text between tags (also inside SVG `<text>` and `<title>`).
    public static func text(_ value: String, limit: Int? = nil) -> String {
        var out = ""
        append(value, to: &out, limit: limit)
        return out
    }

    /// For a quoted attribute value (`"` or `'` quotes both work).
    public static func attribute(_ value: String, limit: Int? = nil) -> String {
        var out = ""
        append(value, to: &out, inAttribute: true, limit: limit)
        return out
    }

    /// Appends `value` escaped to `out`, cut to `limit` characters with an ellipsis.
    public static func append(_ value: String, to out: inout String, inAttribute: Bool = false, limit: Int? = nil) {
        var value = value
        if let limit, value.count > limit { value = String(value.prefix(max(0, limit - 1))) + "…" }
        // Most strings are plain ASCII with nothing to escape: copy them whole.
        if !value.utf8.contains(where: needsWork) {
            out += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r":
                if inAttribute { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            default:
                out.unicodeScalars.append(isUnwanted(scalar.value) ? "\u{FFFD}" : scalar)
            }
        }
    }

    private static func needsWork(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// Control characters (which HTML forbids) and bidirectional overrides (which can make a class name read
    /// as another one) become U+FFFD, visibly.
    private static func isUnwanted(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
    }
}
