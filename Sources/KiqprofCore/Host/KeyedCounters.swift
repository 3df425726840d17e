/// Finds a few `name value` lines in a kernel counter file (/proc/vmstat, memory.stat, memory.events,
/// memory.oom_control) without splitting the rest into strings: the recorder reads these every poll, and
/// /proc/vmstat alone has nearly 200 lines.
public enum KeyedCounters {
    /// The value of each key (nil where its line is missing or not a number), in the order of `keys`.
    public static func values(_ bytes: [UInt8], keys: [[UInt8]]) -> [UInt64?] {
        var found = [UInt64?](repeating: nil, count: keys.count)
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                var end = start
                while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
                for (position, key) in keys.enumerated() where found[position] == nil && matches(buffer, start, end, key) {
                    found[position] = number(buffer, from: start + key.count + 1, to: end)
                }
                start = end + 1
            }
        }
        return found
    }

    /// The whole file as one number (a single-value file such as memory.current), surrounding whitespace allowed.
    public static func single(_ bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBufferPointer { buffer in
            var from = 0, to = buffer.count
            while from < to && isSpace(buffer[from]) { from += 1 }
            while to > from && isSpace(buffer[to - 1]) { to -= 1 }
            return number(buffer, from: from, to: to)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
    }

    private static func matches(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ key: [UInt8]) -> Bool {
        guard end - start > key.count, buffer[start + key.count] == UInt8(ascii: " ") else { return false }
        for index in key.indices where buffer[start + index] != key[index] { return false }
        return true
    }

    private static func number(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> UInt64? {
        guard from < to else { return nil }
        var value: UInt64 = 0
        for index in from..<to {
            let digit = buffer[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow && !carry else { return nil }
            value = sum
        }
        return value
    }
}
