#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or stdin in 1 MiB chunks and hands out whole lines without copying them; memory stays
/// bounded whatever the file size.
public final class LineReader {
    /// Also read by position, by `LogBlockReader`.
    let fd: Int32
    private let ownsDescriptor: Bool
    public let name: String
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var filled = 0
    private var consumed = 0
    private var atEOF = false
    public private(set) var bytesRead = 0
    public let totalBytes: Int?

    /// Opens `path`, or stdin for `-`.
    public init(path: String) throws {
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
            name = "stdin"
            totalBytes = nil
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw KiqprofError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
            ownsDescriptor = true
            name = path
            var info = stat()
            totalBytes = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
            if (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw KiqprofError.unreadableFile(path: path, reason: "is a directory")
            }
        }
        capacity = 1 << 20
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Calls `body` with each line (without its newline) and its 1-based number; the chunk a line came from
    /// is passed to `chunk` first (for fingerprints and progress).
    public func forEachLine(chunk: (UnsafeRawBufferPointer) -> Void, _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        var lineNumber = 0
        while true {
            // Scan the unconsumed bytes for complete lines (through locals: no property access per line).
            var start = consumed
            let base = buffer, scanEnd = filled
            while start < scanEnd, let newline = memchr(base + start, 10, scanEnd - start) {
                let end = UnsafeMutableRawPointer(newline) - base
                lineNumber += 1
                try body(UnsafeRawBufferPointer(start: base + start, count: end - start), lineNumber)
                start = end + 1
            }
            consumed = start
            if atEOF {
                if consumed < filled {
                    lineNumber += 1
                    try body(UnsafeRawBufferPointer(start: buffer + consumed, count: filled - consumed), lineNumber)
                }
                return
            }
            // Move the partial line to the front; grow only for a line longer than the buffer.
            let remaining = filled - consumed
            if consumed > 0 {
                memmove(buffer, buffer + consumed, remaining)
            } else if remaining == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 8)
                bigger.copyMemory(from: buffer, byteCount: remaining)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            filled = remaining
            consumed = 0
            let got = read(fd, buffer + filled, capacity - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw KiqprofError.unreadableFile(path: name,
                    reason: "read failed at byte \(bytesRead): \(String(cString: strerror(errno)))")
            }
            if got == 0 { atEOF = true; continue }
            chunk(UnsafeRawBufferPointer(start: buffer + filled, count: got))
            filled += got
            bytesRead += got
        }
    }
}

// Owns a file descriptor and buffer; used by one thread.
@available(*, unavailable)
extension LineReader: Sendable {}
