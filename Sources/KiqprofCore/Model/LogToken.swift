#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread or job id from a log line, kept inline (up to 32 bytes) so the per-line path neither allocates
/// nor reference-counts: Sidekiq's tids are a few base-36 characters and its jids 24 hex digits. A longer
/// token is interned in the `LogNameTable` and kept here by its index.
struct LogToken: Hashable, Sendable {
    static let capacity = 32
    private static let interned: UInt8 = .max

    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count: UInt8 = 0

    init() {}

    /// `bytes` inline, or through `names` when longer than `capacity`.
    init(_ bytes: UnsafeRawBufferPointer, names: inout LogNameTable) {
        if bytes.count <= Self.capacity {
            count = UInt8(bytes.count)
            if let base = bytes.baseAddress { withUnsafeMutableBytes(of: &words) { _ = memcpy($0.baseAddress!, base, bytes.count) } }
        } else {
            count = Self.interned
            words.0 = UInt64(names.intern(bytes))
        }
    }

    init(_ string: String, names: inout LogNameTable) {
        var string = string
        self = string.withUTF8 { LogToken(UnsafeRawBufferPointer($0), names: &names) }
    }

    /// Moves an interned token to another table: `map` takes this table's indexes to that one's.
    mutating func remap(_ map: [Int32]) {
        if count == Self.interned { words.0 = UInt64(map[Int(words.0)]) }
    }

    /// The token's bytes; `names` resolves an interned one.
    func withBytes<R>(names: [String], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if count == Self.interned {
            var string = names[Int(words.0)]
            return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
        return withUnsafeBytes(of: words) { body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)])) }
    }

    func string(names: [String]) -> String {
        withBytes(names: names) { String(decoding: $0, as: UTF8.self) }
    }

    static func == (a: LogToken, b: LogToken) -> Bool {
        a.count == b.count && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    // Thread ids fit the first word; hashing less keeps the pairing lookups cheap.
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1 ^ UInt64(count))
    }
}
