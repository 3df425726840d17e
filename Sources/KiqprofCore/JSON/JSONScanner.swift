#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validating, allocation-free scanner for JSON documents that reports the members of the top-level
/// object. Sidekiq payloads are read this way because the census touches millions of them and needs only a
/// handful of fields; nested values (job args) are validated and skipped, never materialised.
public enum JSONScanner {
    /// Scans `buffer` as one JSON object and calls `visit` for each top-level member.
    /// - Throws: `JSONScanError` with the byte offset of the first syntax error; nothing after it is visited.
    public static func scanObject(
        _ buffer: UnsafeRawBufferPointer,
        _ visit: (_ key: UnsafeRawBufferPointer, _ value: JSONSpan) -> Void
    ) throws(JSONScanError) {
        var cursor = Cursor(buffer: buffer)
        cursor.skipWhitespace()
        guard cursor.peek() == UInt8(ascii: "{") else { throw cursor.error("'{' at the start of a JSON object") }
        cursor.index += 1
        cursor.skipWhitespace()
        if cursor.peek() == UInt8(ascii: "}") {
            cursor.index += 1
        } else {
            while true {
                cursor.skipWhitespace()
                let keySpan = try cursor.scanString()
                cursor.skipWhitespace()
                guard cursor.peek() == UInt8(ascii: ":") else { throw cursor.error("':' after an object key") }
                cursor.index += 1
                cursor.skipWhitespace()
                let value = try cursor.scanValue(depth: 1)
                visit(UnsafeRawBufferPointer(rebasing: buffer[keySpan.start..<keySpan.end]), value)
                cursor.skipWhitespace()
                let next = cursor.peek()
                if next == UInt8(ascii: ",") { cursor.index += 1; continue }
                if next == UInt8(ascii: "}") { cursor.index += 1; break }
                throw cursor.error("',' or '}' in an object")
            }
        }
        cursor.skipWhitespace()
        guard cursor.index == buffer.count else { throw cursor.error("end of input after the JSON object") }
    }

    /// Validates `buffer` as any single JSON value and returns its span.
    public static func scanValue(_ buffer: UnsafeRawBufferPointer) throws(JSONScanError) -> JSONSpan {
        var cursor = Cursor(buffer: buffer)
        cursor.skipWhitespace()
        let span = try cursor.scanValue(depth: 0)
        cursor.skipWhitespace()
        guard cursor.index == buffer.count else { throw cursor.error("end of input after the JSON value") }
        return span
    }

    /// Compares a raw key with an ASCII literal without allocating.
    @inline(__always)
    public static func key(_ key: UnsafeRawBufferPointer, is literal: StaticString) -> Bool {
        guard key.count == literal.utf8CodeUnitCount else { return false }
        return memcmp(key.baseAddress!, literal.utf8Start, key.count) == 0
    }

    /// Reads a string span as a Swift String, resolving escapes.
    public static func string(_ buffer: UnsafeRawBufferPointer, _ span: JSONSpan) -> String? {
        guard span.kind == .string else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end])
        if !span.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: decodeEscapes(raw), as: UTF8.self)
    }

    /// Reads a string span's bytes with escapes resolved.
    public static func decodeEscapes(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt32
                switch byte {
                case 48...57: digit = UInt32(byte - 48)
                case 65...70: digit = UInt32(byte - 55)
                case 97...102: digit = UInt32(byte - 87)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index) else { out.append(UInt8(ascii: "?")); continue }
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"),
                    raw[index + 1] == UInt8(ascii: "u"), let low = hex4(index + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(character)).utf8))
            default: out.append(escaped)
            }
        }
        return out
    }

    /// Reads a number span as a Double (Sidekiq timestamps: `1795715276.1691823`, `1795714220779`).
    public static func double(_ buffer: UnsafeRawBufferPointer, _ span: JSONSpan) -> Double? {
        guard span.kind == .number else {
            // Some clients write numbers as strings (journald all of them); accept digits in a string too.
            guard span.kind == .string, !span.hasEscapes else { return nil }
            // Plain digits up to 2^53 are exact as a Double: no String, no strtod (journald's microseconds).
            if span.end > span.start, span.end - span.start <= 18 {
                var value = 0
                var index = span.start
                while index < span.end, buffer[index] >= 48, buffer[index] <= 57 {
                    value = value * 10 + Int(buffer[index] - 48)
                    index += 1
                }
                if index == span.end, value <= 1 << 53 { return Double(value) }
            }
            return Double(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end]), as: UTF8.self))
        }
        var integer: Double = 0
        var index = span.start
        var negative = false
        if buffer[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        while index < span.end, buffer[index] >= 48, buffer[index] <= 57 {
            integer = integer * 10 + Double(buffer[index] - 48)
            index += 1
        }
        if index < span.end, buffer[index] == UInt8(ascii: ".") {
            index += 1
            var fraction: Double = 0
            var scale: Double = 1
            while index < span.end, buffer[index] >= 48, buffer[index] <= 57 {
                fraction = fraction * 10 + Double(buffer[index] - 48)
                scale *= 10
                index += 1
            }
            integer += fraction / scale
        }
        if index < span.end {
            // An exponent: rare in Sidekiq data, so take the slow exact path.
            return Double(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end]), as: UTF8.self))
        }
        return negative ? -integer : integer
    }

    struct Cursor {
        let buffer: UnsafeRawBufferPointer
        var index = 0

        init(buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

        @inline(__always) func peek() -> UInt8? { index < buffer.count ? buffer[index] : nil }

        func error(_ expected: String) -> JSONScanError { JSONScanError(offset: index, expected: expected) }

        @inline(__always) mutating func skipWhitespace() {
            while index < buffer.count {
                switch buffer[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func scanValue(depth: Int) throws(JSONScanError) -> JSONSpan {
            guard let byte = peek() else { throw error("a JSON value") }
            switch byte {
            case UInt8(ascii: "\""):
                return try scanString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < 512 else { throw error("nesting shallower than 512 levels") }
                let start = index
                try skipContainer(depth: depth)
                return JSONSpan(kind: byte == UInt8(ascii: "{") ? .object : .array, start: start, end: index, hasEscapes: false,
                    boolValue: false)
            case UInt8(ascii: "t"):
                try literal("true")
                return JSONSpan(kind: .bool, start: index - 4, end: index, hasEscapes: false, boolValue: true)
            case UInt8(ascii: "f"):
                try literal("false")
                return JSONSpan(kind: .bool, start: index - 5, end: index, hasEscapes: false, boolValue: false)
            case UInt8(ascii: "n"):
                try literal("null")
                return JSONSpan(kind: .null, start: index - 4, end: index, hasEscapes: false, boolValue: false)
            case UInt8(ascii: "-"), 48...57:
                return try scanNumber()
            default:
                throw error("a JSON value")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONScanError) {
            let count = word.utf8CodeUnitCount
            guard index + count <= buffer.count, memcmp(buffer.baseAddress! + index, word.utf8Start, count) == 0 else {
                throw error("'\(word)'")
            }
            index += count
        }

        mutating func scanNumber() throws(JSONScanError) -> JSONSpan {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            let first = peek()
            while let byte = peek(), byte >= 48, byte <= 57 {
                if digits == 1 && first == 48 { throw error("no leading zero in a number") }
                index += 1
                digits += 1
            }
            guard digits > 0 else { throw error("digits in a number") }
            if peek() == UInt8(ascii: ".") {
                index += 1
                var fractionDigits = 0
                while let byte = peek(), byte >= 48, byte <= 57 { index += 1; fractionDigits += 1 }
                guard fractionDigits > 0 else { throw error("digits after '.' in a number") }
            }
            if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                var exponentDigits = 0
                while let byte = peek(), byte >= 48, byte <= 57 { index += 1; exponentDigits += 1 }
                guard exponentDigits > 0 else { throw error("digits in a number's exponent") }
            }
            return JSONSpan(kind: .number, start: start, end: index, hasEscapes: false, boolValue: false)
        }

        /// Scans a string starting at its opening quote in one pass, sixteen then eight bytes at a time: a
        /// block with no quote, backslash or control byte is skipped whole (SWAR), which is most of every payload.
        mutating func scanString() throws(JSONScanError) -> JSONSpan {
            guard peek() == UInt8(ascii: "\"") else { throw error("'\"' to open a string") }
            index += 1
            let start = index
            var escapes = false
            let base = buffer.baseAddress!
            let count = buffer.count
            while true {
                while index + 16 <= count {
                    let words = base.loadUnaligned(fromByteOffset: index, as: SIMD2<UInt64>.self)
                    if Self.hasSpecialByte(words) { break }
                    index += 16
                }
                while index + 8 <= count {
                    let special = Self.specialBytes(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                    // Straight to the first special byte: short keys and values end here, with no byte loop.
                    if special != 0 { index += special.trailingZeroBitCount >> 3; break }
                    index += 8
                }
                guard index < count else { throw error("'\"' to close the string opened at byte \(start - 1)") }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return JSONSpan(kind: .string, start: start, end: index - 1, hasEscapes: escapes, boolValue: false)
                } else if byte == UInt8(ascii: "\\") {
                    escapes = true
                    index += 2  // the escaped character can never end the string
                    if index > count { index = count }
                } else if byte < 0x20 {
                    throw error("no raw control character inside a string")
                } else {
                    index += 1
                }
            }
        }

        /// The high bit of each byte of `word` that is `"`, `\\` or below 0x20 (the classic has-zero-byte bit
        /// trick): exact up to the first such byte, as borrows only run upward; later bits may be false.
        @inline(__always)
        static func specialBytes(_ word: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (word &- ones &* 0x20) & ~word
            return (zeroQuote | zeroBackslash | control) & highs
        }

        /// Whether `specialBytes` finds any in two words at once: SIMD2's wrapping arithmetic compiles to SSE2/NEON, while
        /// SIMD comparisons (`.==`) compile to a loop over the lanes.
        @inline(__always)
        static func hasSpecialByte(_ words: SIMD2<UInt64>) -> Bool {
            let ones = SIMD2<UInt64>(repeating: 0x0101_0101_0101_0101)
            let quote = words ^ (ones &* 0x22)
            let backslash = words ^ (ones &* 0x5C)
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (words &- ones &* 0x20) & ~words
            let found = (zeroQuote | zeroBackslash | control) & SIMD2(repeating: 0x8080_8080_8080_8080)
            return found[0] | found[1] != 0
        }

        mutating func skipContainer(depth: Int) throws(JSONScanError) {
            let isObject = peek() == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek() == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    _ = try scanString()
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw error("':' after an object key") }
                    index += 1
                    skipWhitespace()
                }
                _ = try scanValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw error(isObject ? "',' or '}' in an object" : "',' or ']' in an array") }
                if next == UInt8(ascii: ",") { index += 1; continue }
                if next == close { index += 1; return }
                throw error(isObject ? "',' or '}' in an object" : "',' or ']' in an array")
            }
        }
    }
}
