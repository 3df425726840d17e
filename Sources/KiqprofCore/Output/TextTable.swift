/// An aligned plain-text table. Cells from Redis are sanitised so control characters (terminal escape
/// injection from attacker-chosen class names or args) never reach the terminal.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int> = []

    public init(headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row.map { Self.sanitize($0) }) }

    public func render(indent: String = "  ") -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let isLast = index == cells.count - 1
                parts.append(rightAligned.contains(index) ? padding + cell : (isLast ? cell : cell + padding))
            }
            return indent + parts.joined(separator: "  ")
        }
        var out = line(headers) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// Replaces control characters with `?` and shortens very long cells.
    public static func sanitize(_ text: String, limit: Int = 80) -> String {
        var out = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F
            || (0x80..<0xA0).contains($0.value) ? "?" : Character($0) })
        if out.count > limit { out = String(out.prefix(limit - 1)) + "…" }
        return out
    }
}
