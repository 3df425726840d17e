import Foundation
import Testing
import KiqprofCore

/// `record` on a full filesystem: a 2 MiB tmpfs holds the store, a filler file takes the rest, then goes.
/// Needs root for `mount` (CI runs as root); elsewhere without root it is a failure under CI=true, as every
/// missing part is.
@Suite("record on a full disk", .serialized)
struct FullDiskTests {
    @Test("keeps recording, reports the failure once a minute, resumes when space returns, and loses nothing")
    func fullDisk() throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-full-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        guard getuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true" else {
            print("skipped: mounting a tmpfs needs root (CI runs this as root)")
            return
        }
        try shell("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path)
        defer { _ = try? shell("umount", "-l", mountPoint.path) }

        let server = try RedisServer()
        defer { server.stop() }
        _ = try SnapshotLoader.load(Fixtures.snapshot("S5"), into: server)
        let db = mountPoint.appendingPathComponent("k.sqlite").path
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "200ms", "--flush", "400ms",
                                           "--duration", "10s"])
        Thread.sleep(forTimeInterval: 1.5)  // the store is open and written to; then the disk fills up
        let filler = mountPoint.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(repeating: 0x55, count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}  // until ENOSPC
        try handle.close()
        Thread.sleep(forTimeInterval: 5)  // about 12 flushes fail
        try FileManager.default.removeItem(at: filler)
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let reports = result.stderr.components(separatedBy: "cannot write to the store").count - 1
        #expect(reports == 1, "the full disk is reported once, not at every flush: \(result.stderr)")
        #expect(result.stderr.contains("writable again"), "\(result.stderr)")
        let store = try Store(path: db)
        let polls = try #require(result.stderr.firstMatch(of: /stopped after (\d+) polls/).map { Int($0.1)! })
        let written = try store.counts()["host_sample"]
        #expect(polls >= 40 && written == polls, "every poll's host sample was written once space returned (\(written ?? 0) of \(polls))")
        #expect(try store.integrityCheck() == "ok")
    }

    @discardableResult
    private func shell(_ arguments: String...) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("\(arguments.joined(separator: " ")) failed") }
        return process.terminationStatus
    }
}
