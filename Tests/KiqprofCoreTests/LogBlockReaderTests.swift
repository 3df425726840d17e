import Foundation
import Testing
@testable import KiqprofCore

@Suite struct LogBlockReaderTests {
    /// Every line once, in order, whatever the block size (lines span chunks and blocks), with or without
    /// a final newline, and when the file is shorter than it was when the import began.
    @Test(arguments: [16, 64, 1000])
    func everyLineOnceAcrossBlocks(blockSize: Int) throws {
        let lines = (0..<60).map { "line \($0) " + String(repeating: "x", count: $0 % 23) }
        for text in [lines.joined(separator: "\n") + "\n", lines.joined(separator: "\n")] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-blocks-\(UUID().uuidString).log").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let reader = try LineReader(path: path)
            for claimedSize in [text.utf8.count, text.utf8.count + 300] {
                let blocks = LogBlockReader(fd: reader.fd, name: path, fileSize: claimedSize, blockSize: blockSize)
                var seen: [String] = []
                for block in 0..<blocks.blockCount {
                    try blocks.forEachLine(inBlock: block) { seen.append(String(decoding: $0, as: UTF8.self)); return true }
                }
                #expect(seen == lines, "\(blockSize)-byte blocks, \(claimedSize) bytes claimed")
            }
        }
    }
}
