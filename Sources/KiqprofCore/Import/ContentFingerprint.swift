/// A fast 64-bit fingerprint of everything imported from one source, so the same file imported twice is
/// recognised without a unique index on every row (indexes cost import speed).
public struct ContentFingerprint: Sendable {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var length: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        // Eight bytes at a time, multiply-rotate mixing (not cryptographic; collisions only need to be rare).
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            state = (state ^ (word &* 0x87C3_7B91_1142_53D5)).rotateLeft(31) &* 0x4CF5_AD43_2745_937F
            index += 8
        }
        while index < count {
            state = (state ^ UInt64(bytes[index])) &* 0x1000_0000_01B3
            index += 1
        }
        length &+= UInt64(count)
    }

    /// `kind:length:hash`, e.g. `sidekiq-log:61339:9f…` (the content's length). `options` are the import's settings that change
    /// what the same bytes mean (`host=vm`, `tz=3600`, `format=json`): the same file read another way is
    /// another import, not a repeat.
    public func value(kind: ImportKind, options: [String] = []) -> String {
        var hasher = self
        for option in options {
            var text = option + "\n"
            text.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        var final = hasher.state ^ hasher.length
        final = (final ^ (final >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        final ^= final >> 33
        return "\(kind.rawValue):\(length):\(String(final, radix: 16))"
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
