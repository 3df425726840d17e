// Reads a log file through both of the importer's readers, LineReader (one thread, in order) and LogBlockReader
// (blocks read by position, two threads at once), and checks that each hands out every line once, in order,
// whatever the block size; the file may also claim more bytes than it has, as a log that shrank mid-import.
import CLibFuzzer
import Foundation
@testable import KiqprofCore

enum Scratch {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-fuzz-blocks-\(getpid()).log").path
}

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 2 else { return 0 }
    // The first two bytes choose the block size and how many bytes the file claims beyond its end.
    let blockSize = 1 + Int(data[0]) % 128
    let claimedExtra = Int(data[1]) % 4 == 0 ? Int(data[1]) : 0
    let text = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let fd = open(Scratch.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0 && write(fd, text.baseAddress, text.count) == text.count, "cannot write \(Scratch.path)")
    close(fd)

    var expected = text.split(separator: 10, omittingEmptySubsequences: false).map { Array($0) }
    if text.last == 10 || text.isEmpty { expected.removeLast() }
    do {
        let reader = try LineReader(path: Scratch.path)
        var lines: [[UInt8]] = []
        try reader.forEachLine(chunk: { _ in }) { line, number in
            lines.append(Array(line))
            precondition(number == lines.count, "line \(lines.count) numbered \(number)")
        }
        precondition(lines == expected, "LineReader: \(lines.count) lines, expected \(expected.count)")

        let blocks = LogBlockReader(fd: reader.fd, name: Scratch.path, fileSize: text.count + claimedExtra, blockSize: blockSize)
        lines.removeAll()
        for block in 0..<blocks.blockCount {
            try blocks.forEachLine(inBlock: block) { lines.append(Array($0)); return true }
        }
        precondition(lines == expected, "\(blockSize)-byte blocks: \(lines.count) lines, expected \(expected.count)")
    } catch {
        preconditionFailure("reading \(Scratch.path): \(error)")
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
