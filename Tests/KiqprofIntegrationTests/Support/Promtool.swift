import Foundation

/// Prometheus's promtool (Debian's `prometheus` package, which `make test` installs); missing is a failure.
enum Promtool {
    struct Result {
        let status: Int32
        let output: String
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            throw TestSetupError("promtool is not installed: run `make test`, which installs Debian's prometheus package")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = arguments
        let output = Pipe(), feed = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input == nil ? FileHandle.nullDevice : feed
        try process.run()
        if let input {
            feed.fileHandleForWriting.write(Data(input.utf8))
            try feed.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
