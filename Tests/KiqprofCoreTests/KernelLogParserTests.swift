import Foundation
import Testing
@testable import KiqprofCore

/// The OOM kills in real kernel logs (Tests/Fixtures/kernel/README.md has the facts): every form gives exactly
/// the kills in the file, with pid, name, RSS, cgroup and time.
@Suite("kernel logs: OOM kills in every form")
struct KernelLogParserTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kernel")
    static let bootTime = 1796397241.0
    /// The kill in dmesg's own clock: boot time + 19620.173229 s.
    static let killTime = 1796416861.173229

    func parse(_ name: String, year: Int = 2026, offset: Int = 0) throws -> KernelLogParser {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        var parser = KernelLogParser(clock: .init(year: year, utcOffset: offset, bootTime: Self.bootTime), defaultHost: "vm")
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            parser.consume(String(line), number: index + 1)
        }
        return parser
    }

    @Test("the memcg kill as dmesg, journalctl -k (short, short-iso, short-precise, json) and kern.log print it", arguments: [
        "memcg-dmesg.txt", "memcg-journal-short.txt", "memcg-journal-short-iso.txt", "memcg-journal-short-precise.txt",
        "memcg-journal-json.txt", "memcg-kern.log",
    ])
    func memcgKill(file: String) throws {
        let parser = try parse(file)
        #expect(parser.notUnderstood == 0, "\(parser.examples)")
        #expect(parser.kills.count == 1)
        let kill = try #require(parser.kills.first)
        #expect(kill.pid == 29054 && kill.process == "ruby" && kill.host == "vm")
        #expect(kill.rssKiB == 69976)
        #expect(kill.cgroup == "/kiqprof-oom-capture" && kill.oomCgroup == "/kiqprof-oom-capture")
        #expect(kill.constraint == "CONSTRAINT_MEMCG" && kill.isCgroupLimit)
        #expect(kill.trigger == "ruby")
        // Whole seconds (journalctl -o short) up to the milliseconds journald and rsyslog add when they read the line.
        #expect(abs(kill.t - Self.killTime) < 1.05, "\(file): \(kill.t)")
    }

    @Test("older kernels' two-line kill, a global kill with its cgroup, and the reboot after it")
    func classicForms() throws {
        let parser = try parse("classic-kern.log", offset: 3600)
        #expect(parser.notUnderstood == 0, "\(parser.examples)")
        #expect(parser.kills.map(\.pid) == [4242, 5120])
        let old = parser.kills[0], global = parser.kills[1]
        #expect(old.process == "ruby" && old.rssKiB == 1634020 && old.constraint == nil && old.trigger == "bundle" && !old.isCgroupLimit)
        #expect(old.host == "mastodon")
        // Nov 26 17:49:02 at +01:00 is 16:49:02Z.
        #expect(old.t == TimeExpression.parseISO("2026-11-26T16:49:02Z"))
        #expect(global.rssKiB == 1502212 + 2048 && global.constraint == "CONSTRAINT_NONE" && !global.isCgroupLimit)
        #expect(global.cgroup == "/system.slice/mastodon-sidekiq.service")
        #expect(parser.boots == [TimeExpression.parseISO("2026-11-26T17:12:40Z")!])
    }

    @Test("a dmesg time without a boot time, and lines of no kernel log, are skipped with a reason")
    func unreadableLines() {
        var parser = KernelLogParser(clock: .init(year: 2026, utcOffset: 0, bootTime: nil), defaultHost: "vm")
        parser.consume("[19620.173229] Memory cgroup out of memory: Killed process 1 (ruby) total-vm:1kB, anon-rss:1kB", number: 1)
        parser.consume("I, [2026-12-04T20:41:01.173229 #1]  INFO -- : not a kernel line", number: 2)
        parser.consume(#"{"_TRANSPORT":"stdout","MESSAGE":"Killed process 2 (ruby) anon-rss:1kB","__REALTIME_TIMESTAMP":"1"}"#, number: 3)
        #expect(parser.kills.isEmpty)
        #expect(parser.notUnderstood == 2)
        #expect(parser.examples.map(\.line) == [1, 2])
        #expect(parser.examples.first?.reason.contains("--boot-time") == true)
    }
}
