// Checks the JSON scanner against a plain byte-at-a-time validator of the same grammar, so a slip in its
// word-at-a-time string scanning shows up as a wrong answer, not only as a crash; then reads every member
// of an object the way the payload decoder and the log parser do.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    var reference = ReferenceValidator(bytes: buffer)
    let expected = reference.document()

    let span: JSONSpan?
    do { span = try JSONScanner.scanValue(buffer) } catch { span = nil; precondition(error.offset <= size, "offset past the end") }
    precondition((span != nil) == (expected != nil), "scanValue: \(span.map { "\($0)" } ?? "rejects"), the reference "
        + (expected.map { "accepts \($0)" } ?? "rejects"))
    if let span, let expected { precondition(span.start == expected.start && span.end == expected.end, "span \(span) vs \(expected)") }

    var members = 0
    do {
        try JSONScanner.scanObject(buffer) { key, value in
            members += 1
            precondition(key.count <= size && value.start <= value.end && value.end <= size, "a span outside the buffer")
            _ = JSONScanner.key(key, is: "class")
            _ = JSONScanner.decodeEscapes(key)
            _ = JSONScanner.string(buffer, value)
            _ = JSONScanner.double(buffer, value)
            if value.kind == .string { _ = JSONScanner.decodeEscapes(UnsafeRawBufferPointer(rebasing: buffer[value.start..<value.end])) }
        }
        precondition(expected?.kind == .object, "scanObject accepted what is not one object")
    } catch {
        precondition(expected?.kind != .object, "scanObject rejected an object the reference accepts: \(error)")
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)

/// The scanner's grammar, one byte at a time: RFC 8259 values, except that a backslash escapes any one byte
/// (the scanner leaves escapes to `decodeEscapes`), containers nest at most 512 deep, and strings are bytes.
struct ReferenceValidator {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The top-level value's kind and range (strings without their quotes), or nil when invalid.
    mutating func document() -> (kind: JSONSpan.Kind, start: Int, end: Int)? {
        skipWhitespace()
        guard let value = value(depth: 0) else { return nil }
        skipWhitespace()
        return index == bytes.count ? value : nil
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func value(depth: Int) -> (kind: JSONSpan.Kind, start: Int, end: Int)? {
        guard let byte = peek() else { return nil }
        let start = index
        switch byte {
        case UInt8(ascii: "\""):
            guard let (from, to) = string() else { return nil }
            return (.string, from, to)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < 512, container(depth: depth) else { return nil }
            return (byte == UInt8(ascii: "{") ? .object : .array, start, index)
        case UInt8(ascii: "t"): return word("true") ? (.bool, start, index) : nil
        case UInt8(ascii: "f"): return word("false") ? (.bool, start, index) : nil
        case UInt8(ascii: "n"): return word("null") ? (.null, start, index) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number() ? (.number, start, index) : nil
        default: return nil
        }
    }

    mutating func word(_ text: String) -> Bool {
        for expected in text.utf8 {
            guard peek() == expected else { return false }
            index += 1
        }
        return true
    }

    mutating func digits() -> Int {
        var count = 0
        while let byte = peek(), byte >= 48, byte <= 57 { index += 1; count += 1 }
        return count
    }

    mutating func number() -> Bool {
        if peek() == UInt8(ascii: "-") { index += 1 }
        let first = index
        let count = digits()
        guard count > 0, count == 1 || bytes[first] != 48 else { return false }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }

    mutating func string() -> (Int, Int)? {
        index += 1
        let start = index
        while let byte = peek() {
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start, index - 1)
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return nil }
                index += 2
            } else if byte < 0x20 {
                return nil
            } else {
                index += 1
            }
        }
        return nil
    }

    mutating func container(depth: Int) -> Bool {
        let isObject = peek() == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if peek() == close { index += 1; return true }
        while true {
            skipWhitespace()
            if isObject {
                guard peek() == UInt8(ascii: "\""), string() != nil else { return false }
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
            }
            guard value(depth: depth + 1) != nil else { return false }
            skipWhitespace()
            guard let next = peek() else { return false }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            return next == close
        }
    }
}
