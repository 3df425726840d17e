/// Escapes untrusted text (job classes, queues, error classes, signals) for GitHub/GitLab Markdown:
/// inline HTML is rendered there, so `<`, `>` and `&` become entities, and Markdown syntax characters
/// get a backslash so a class name cannot turn into a link, an image or a table cell break.
public enum MarkdownText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "\\|"
            case "\\", "`", "*", "_", "[", "]", "(", ")", "#", "!", "~", "{", "}": out += "\\" + String(character)
            case "\n", "\r", "\t": out += " "
            default:
                if character.unicodeScalars.allSatisfy({ $0.value >= 0x20
                    && $0.value != 0x7F }) { out.append(character) } else { out += "?" }
            }
        }
        return out
    }
}
