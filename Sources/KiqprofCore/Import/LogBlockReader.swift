#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the lines of one block of a regular file by position (`pread`), so several threads can parse one
/// log at once: block `n` holds the lines that start inside bytes [n·size, (n+1)·size), read to their end.
/// A block is read a chunk at a time, small enough that the lines are still in the core's cache when parsed.
final class LogBlockReader {
    static let chunkSize = 256 << 10

    private let fd: Int32
    private let name: String
    private let fileSize: Int
    let blockSize: Int
    private let chunkSize: Int
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int

    /// `fd` stays owned by the caller; `fileSize` is the file's size when the import began. A small block
    /// (tests) is read in at least two chunks, so lines that span chunks are exercised too.
    init(fd: Int32, name: String, fileSize: Int, blockSize: Int) {
        self.fd = fd
        self.name = name
        self.fileSize = fileSize
        self.blockSize = blockSize
        chunkSize = min(Self.chunkSize, max(16, blockSize / 2))
        capacity = chunkSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    var blockCount: Int { (fileSize + blockSize - 1) / blockSize }

    /// Calls `body` with each line (without its newline) that starts in block `block`; `body` returns false
    /// to stop early. Each chunk is passed to `chunk` as it is read, before the lines that end in it. A file
    /// that shrank since the import began ends at its new end.
    func forEachLine(inBlock block: Int, chunk: (UnsafeRawBufferPointer) -> Void = { _ in },
        _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        let start = block * blockSize
        let end = min(fileSize, start + blockSize)
        guard start < end else { return }
        // `origin`: the file offset of buffer[0]. One byte before the block says whether a line starts right
        // at its first byte.
        var origin = max(0, start - 1)
        var filled = 0
        var position = start - origin
        var searched = 0
        if start > 0 {
            // Skip the end of the line an earlier block holds; it may span this whole block.
            while true {
                filled = try read(at: origin, into: 0, count: min(chunkSize, end - origin))
                guard filled > 0 else { return }
                chunk(UnsafeRawBufferPointer(start: buffer, count: filled))
                if let newline = memchr(buffer, 10, filled) {
                    position = UnsafeMutableRawPointer(newline) - buffer + 1
                    break
                }
                origin += filled
                guard origin < end else { return }
            }
            searched = position
        }
        while origin + position < end {
            let lineEnd: Int
            if let newline = memchr(buffer + searched, 10, filled - searched) {
                lineEnd = UnsafeMutableRawPointer(newline) - buffer
            } else {
                // Keep the partial line, read on: a chunk inside the block, then a little at a time past its
                // end (the next block reads the rest), growing the buffer for a very long line.
                if position > 0 {
                    memmove(buffer, buffer + position, filled - position)
                    origin += position
                    filled -= position
                    position = 0
                }
                searched = filled
                if filled == capacity { grow() }
                let at = origin + filled
                let count = min(capacity - filled, fileSize - at, at < end ? end - at : 8192)
                let got = count > 0 ? try read(at: at, into: filled, count: count) : 0
                chunk(UnsafeRawBufferPointer(start: buffer + filled, count: got))
                filled += got
                guard got == 0 else { continue }
                lineEnd = filled  // the last line has no newline, or the file shrank
                if lineEnd > position { _ = body(UnsafeRawBufferPointer(start: buffer + position, count: lineEnd - position)) }
                return
            }
            guard body(UnsafeRawBufferPointer(start: buffer + position, count: lineEnd - position)) else { return }
            position = lineEnd + 1
            searched = position
        }
    }

    private func read(at offset: Int, into at: Int, count: Int) throws -> Int {
        var done = 0
        while done < count {
            let got = pread(fd, buffer + at + done, count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw KiqprofError.unreadableFile(path: name,
                    reason: "read failed at byte \(offset + done): \(String(cString: strerror(errno)))")
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
