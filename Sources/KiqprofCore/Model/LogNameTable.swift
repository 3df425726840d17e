#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns the few distinct names of a log (job classes, error classes, hosts, over-long tokens), so the
/// per-line path hashes bytes instead of making a String per line; each name becomes a String once.
/// Indexes are stable, so another thread can mirror `names` from the new entries it is handed.
struct LogNameTable {
    private(set) var names: [String] = []
    private var hashes: [UInt64] = []
    /// The names' bytes back to back (name i ends at `ends[i]`): compared without touching the Strings.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Open addressing over `names` (−1: empty); kept at most half full.
    private var slots = [Int32](repeating: -1, count: 64)

    init() {}

    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            if hashes[Int(index)] == hash, equal(Int(index), bytes) { return index }
            slot = (slot + 1) & mask
        }
        let index = Int32(names.count)
        names.append(String(decoding: bytes, as: UTF8.self))
        hashes.append(hash)
        self.bytes.append(contentsOf: bytes)
        ends.append(self.bytes.count)
        slots[slot] = index
        if names.count * 2 > slots.count { rehash() }
        return index
    }

    mutating func intern(_ string: String) -> Int32 {
        var string = string
        return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    private func equal(_ index: Int, _ other: UnsafeRawBufferPointer) -> Bool {
        let start = index == 0 ? 0 : ends[index - 1]
        guard ends[index] - start == other.count else { return false }
        return other.isEmpty || bytes.withUnsafeBytes { memcmp($0.baseAddress! + start, other.baseAddress!, other.count) == 0 }
    }

    /// Eight bytes at a time, multiply-rotate mixing (names are short; this only has to spread them).
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let mixed = state ^ (word &* 0x87C3_7B91_1142_53D5)
            state = (mixed << 31 | mixed >> 33) &* 0x4CF5_AD43_2745_937F
            index += 8
        }
        while index < bytes.count {
            state = (state ^ UInt64(bytes[index])) &* 0x1000_0000_01B3
            index += 1
        }
        return state ^ (state >> 29)
    }
}
