import Foundation
import Testing

/// No Swift source line in Sources/ or Tests/ is longer than 140 characters.
@Suite struct SourceLineLengthTests {
    static let maximum = 140

    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func noSwiftLineIsLongerThan140Characters() throws {
        var long: [String] = []
        var files = 0
        for folder in ["Sources", "Tests"] {
            let base = Self.packageRoot.appendingPathComponent(folder)
            let enumerator = try #require(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
            let urls = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            for url in urls.sorted(by: { $0.path < $1.path }) {
                files += 1
                let text = try String(contentsOf: url, encoding: .utf8)
                let path = url.path.replacingOccurrences(of: Self.packageRoot.path + "/", with: "")
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.unicodeScalars.count > Self.maximum {
                    long.append("\(path):\(index + 1) (\(line.unicodeScalars.count) characters)")
                }
            }
        }
        #expect(files > 50, "found only \(files) Swift files under \(Self.packageRoot.path)")
        #expect(long.isEmpty, "lines over \(Self.maximum) characters:\n\(long.joined(separator: "\n"))")
    }
}
