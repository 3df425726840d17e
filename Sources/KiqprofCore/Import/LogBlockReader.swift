#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the lines of one block of a regular file by position (`pread`), so several threads can parse one
/// log at once: block `n` holds the lines that start inside bytes [n·size, (n+1)·size), read to their end.
final class LogBlockReader {
    private let fd: Int32
    private let name: String
    private let fileSize: Int
    let blockSize: Int
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int

    /// `fd` stays owned by the caller; `fileSize` is the file's size when the import began.
    init(fd: Int32, name: String, fileSize: Int, blockSize: Int) {
        self.fd = fd
        self.name = name
        self.fileSize = fileSize
        self.blockSize = blockSize
        capacity = blockSize + (64 << 10)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    var blockCount: Int { (fileSize + blockSize - 1) / blockSize }

    /// Calls `body` with each line (without its newline) that starts in block `block`; `body` returns false
    /// to stop early.
    func forEachLine(inBlock block: Int, _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        let start = block * blockSize
        let end = min(fileSize, start + blockSize)
        guard start < end else { return }
        // One byte before the block says whether a line starts right at its first byte.
        let origin = max(0, start - 1)
        var filled = try read(at: origin, into: 0, count: end - origin)
        var position = start - origin
        if start > 0 {
            guard let newline = memchr(buffer, 10, filled) else { return }  // a line from an earlier block spans this one
            position = UnsafeMutableRawPointer(newline) - buffer + 1
        }
        while origin + position < end {
            var searched = position
            var lineEnd: Int?
            while lineEnd == nil {
                if let newline = memchr(buffer + searched, 10, filled - searched) {
                    lineEnd = UnsafeMutableRawPointer(newline) - buffer
                } else if origin + filled < fileSize {
                    // The line runs past what was read: read on, a little at a time (the next block reads the
                    // rest), growing the buffer for a very long line.
                    searched = filled
                    if filled == capacity { grow() }
                    let got = try read(at: origin + filled, into: filled, count: min(capacity - filled, fileSize - origin - filled, 8192))
                    if got == 0 { lineEnd = filled }
                    filled += got
                } else {
                    lineEnd = filled  // the last line has no newline
                }
            }
            guard body(UnsafeRawBufferPointer(start: buffer + position, count: lineEnd! - position)) else { return }
            position = lineEnd! + 1
        }
    }

    private func read(at offset: Int, into at: Int, count: Int) throws -> Int {
        var done = 0
        while done < count {
            let got = pread(fd, buffer + at + done, count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw KiqprofError.unreadableFile(path: name, reason: "read failed at byte \(offset + done): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    private func grow() {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 8)
        bigger.copyMemory(from: buffer, byteCount: capacity)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
    }
}

@available(*, unavailable)
extension LogBlockReader: Sendable {}
