import Foundation
import Testing
@testable import KiqprofCore

/// Per-thread CPU from a fake /proc: PID/task/TID/{schedstat,stat,comm}.
@Suite("thread CPU: reading each thread of a process from /proc")
struct ThreadCPUReaderTests {
    final class FakeProc {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-threads-\(UUID().uuidString)").path

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func write(_ pid: Int, _ tid: Int, _ file: String, _ text: String) throws {
            let directory = "\(root)/\(pid)/task/\(tid)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8)
        }

        func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: "\(root)/\(path)") }

        /// A /proc/PID/task/TID/stat line with `utime` and `stime` ticks in fields 14 and 15.
        static func stat(tid: Int, name: String, utime: Int, stime: Int) -> String {
            let fields = ["S"] + Array(repeating: "0", count: 10) + ["\(utime)", "\(stime)"] + Array(repeating: "0", count: 8)
                + ["4321", "0", "0"]
            return "\(tid) (\(name)) " + fields.joined(separator: " ") + "\n"
        }
    }

    static func sorted(_ readings: [ThreadCPUReading]?) -> [ThreadCPUReading]? { readings?.sorted { $0.tid < $1.tid } }

    @Test func schedstatGivesSecondsAndTimeslicesAndStatTicksAreTheFallback() throws {
        let proc = FakeProc()
        try proc.write(100, 100, "schedstat", "1500000000 2000 42\n")
        try proc.write(100, 100, "comm", "ruby\n")
        try proc.write(100, 101, "schedstat", "250000000 123456 7")
        try proc.write(100, 101, "comm", "sidekiq.default\n")
        // No schedstat (a kernel without it): utime + stime = 30 + 20 ticks, timeslices unknown.
        try proc.write(100, 102, "stat", FakeProc.stat(tid: 102, name: "sidekiq.heartbe", utime: 30, stime: 20))
        try proc.write(100, 102, "comm", "sidekiq.heartbe\n")
        // Ended while being read: neither file is there.
        try proc.write(100, 103, "comm", "sidekiq.default\n")
        try proc.remove("100/task/103/comm")
        // Not a thread.
        try FileManager.default.createDirectory(atPath: "\(proc.root)/100/task/notes", withIntermediateDirectories: true)
        let reader = ThreadCPUReader(root: proc.root)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let readings = try #require(Self.sorted(reader.read(pid: 100)))
        #expect(readings == [
            ThreadCPUReading(tid: 100, name: "ruby", cpuSeconds: 1.5, timeslices: 42, waitingSeconds: 2000 / 1e9),
            ThreadCPUReading(tid: 101, name: "sidekiq.default", cpuSeconds: 0.25, timeslices: 7, waitingSeconds: 123456 / 1e9),
            ThreadCPUReading(tid: 102, name: "sidekiq.heartbe", cpuSeconds: 50 / ticks, timeslices: nil),
        ])
        #expect(reader.read(pid: 999) == nil)
    }

    @Test func onlySidekiqNamesAreKept() throws {
        let proc = FakeProc()
        try proc.write(100, 100, "schedstat", "1000000000 0 1\n")
        try proc.write(100, 100, "comm", "ruby\n")
        try proc.write(100, 101, "schedstat", "2000000000 0 2\n")
        try proc.write(100, 101, "comm", "sidekiq.default\n")
        let reader = ThreadCPUReader(root: proc.root)
        _ = reader.read(pid: 100)
        // Sidekiq names a thread just after starting it: an unnamed one is read again; a named one is not.
        try proc.write(100, 100, "comm", "processor\n")
        try proc.write(100, 101, "comm", "ruby\n")
        try proc.write(100, 101, "schedstat", "2500000000 0 9\n")
        let second = try #require(Self.sorted(reader.read(pid: 100)))
        #expect(second.map(\.name) == ["processor", "sidekiq.default"])
        #expect(second[1].cpuSeconds == 2.5 && second[1].timeslices == 9)
        // A new thread whose comm cannot be read has no name; a named one keeps its name.
        try proc.remove("100/task/100/comm")
        try proc.write(100, 102, "schedstat", "0 0 0\n")
        let third = try #require(Self.sorted(reader.read(pid: 100)))
        #expect(third.map(\.name) == ["processor", "sidekiq.default", ""])
    }

    @Test func aNameGoesWithItsThread() throws {
        // Thread 101 of process 100 was a Sidekiq processor; once it is gone the kernel may give its id to a
        // thread of another process, which must be named afresh.
        let proc = FakeProc()
        try proc.write(100, 101, "schedstat", "1000000000 0 1\n")
        try proc.write(100, 101, "comm", "sidekiq.default\n")
        let reader = ThreadCPUReader(root: proc.root)
        #expect(reader.read(pid: 100)?.map(\.name) == ["sidekiq.default"])
        try proc.remove("100")
        #expect(reader.read(pid: 100) == nil)
        try proc.write(200, 101, "schedstat", "3000000000 0 5\n")
        try proc.write(200, 101, "comm", "ruby\n")
        #expect(reader.read(pid: 200)?.map(\.name) == ["ruby"])
        // Within one process: thread 202 named, gone at one read, its id then back on an unnamed thread.
        try proc.write(200, 202, "schedstat", "0 0 0\n")
        try proc.write(200, 202, "comm", "sidekiq.default\n")
        #expect(Self.sorted(reader.read(pid: 200))?.map(\.name) == ["ruby", "sidekiq.default"])
        try proc.remove("200/task/202")
        #expect(reader.read(pid: 200)?.map(\.name) == ["ruby"])
        try proc.write(200, 202, "schedstat", "0 0 0\n")
        try proc.write(200, 202, "comm", "ruby\n")
        #expect(Self.sorted(reader.read(pid: 200))?.map(\.name) == ["ruby", "ruby"])
    }
}
