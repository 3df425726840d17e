import Testing
@testable import KiqprofCore

@Suite struct SidekiqLogParserTests {
    func parse(_ line: String, clock: SidekiqLogParser.Clock? = nil) -> SidekiqLogLine? {
        Array(line.utf8).withUnsafeBytes { SidekiqLogParser.parse($0, clock: clock) }
    }

    let jid = "78871803fad13531971bbe40"

    @Test func everyFormOfOneStartLine() {
        let start = TimeExpression.parseISO("2026-11-26T17:30:57.757Z")!
        let expected = SidekiqLogEvent.start(time: start, pid: 25072, tid: "jzo", jid: jid, jobClass: "HardJob")
        let lines = [
            "2026-11-26T17:30:57.757Z pid=25072 tid=jzo class=HardJob jid=\(jid) tags=alpha,beta INFO: start",
            "\u{1B}[1;34mINFO \u{1B}[0m 2026-11-26T17:30:57.757Z pid=25072 tid=jzo jid=\(jid) class=HardJob tags=alpha,beta: start",
            "INFO 2026-11-26T17:30:57.757Z pid=25072 tid=jzo jid=\(jid) class=HardJob: start",
            "Nov 26 17:30:57 vm bundle[25072]: INFO  2026-11-26T17:30:57.757Z pid=25072 tid=jzo jid=\(jid) class=HardJob tags=alpha,beta:"
                + " start",
            "2026-11-26T17:30:57+0000 vm bundle[25072]: INFO  2026-11-26T17:30:57.757Z pid=25072 tid=jzo jid=\(jid) class=HardJob: start",
            #"{"ts":"2026-11-26T17:30:57.757Z","pid":25072,"tid":"jzo","lvl":"INFO","msg":"start","#
                + #""ctx":{"jid":"78871803fad13531971bbe40","class":"HardJob","tags":["alpha","beta"]}}"#,
        ]
        for line in lines { #expect(parse(line)?.event == expected, "\(line)") }
        #expect(parse(lines[3])?.host == "vm")
    }

    @Test func journaldTimesForLinesWithoutTheirOwn() {
        let clock = SidekiqLogParser.Clock(year: 2026, utcOffset: 3600)
        let short = parse("Nov 26 18:30:57 vm bundle[25072]: INFO  pid=25072 tid=jzo jid=\(jid) class=HardJob: start", clock: clock)
        #expect(short?.event == .start(time: TimeExpression.parseISO("2026-11-26T17:30:57Z")!, pid: 25072, tid: "jzo", jid: jid,
            jobClass: "HardJob"))
        let precise = parse("2026-11-26T17:30:57.250000+0000 vm bundle[25072]: pid=25072 tid=jzo class=HardJob jid=\(jid) elapsed=1.5"
            + " INFO: done", clock: clock)
        #expect(precise?.event == .end(time: TimeExpression.parseISO("2026-11-26T17:30:57.25Z")!, pid: 25072, tid: "jzo", jid: jid,
            jobClass: "HardJob", elapsed: 1.5, failed: false))
        let json = parse(#"{"_HOSTNAME":"vm","_PID":"25072","MESSAGE":"pid=25072 tid=jzo class=HardJob jid=78871803fad13531971bbe40 INFO:"#
            + #" start","__REALTIME_TIMESTAMP":"1795714257757000"}"#)
        #expect(json?.event == .start(time: 1795714257.757, pid: 25072, tid: "jzo", jid: jid, jobClass: "HardJob"))
        #expect(json?.host == "vm")
    }

    @Test func errorsShutdownsAndNoise() {
        #expect(parse("2026-11-26T17:26:40.599Z pid=18301 tid=de5 WARN: ArgumentError: boom fail")?.event == .error(pid: 18301, tid: "de5",
            errorClass: "ArgumentError"))
        #expect(parse("INFO  2026-11-26T17:30:57.809Z pid=25072 tid=jzo context=Job raised exception job={\"retry\"=>3}: boom fail"
            + " (Net::ReadTimeout)")?.event
            == .error(pid: 25072, tid: "jzo", errorClass: "Net::ReadTimeout"))
        #expect(parse("2026-11-26T17:58:34.341Z pid=6627 tid=6a7 WARN: Terminating 5 busy threads")?.event == .hardShutdown(pid: 6627))
        #expect(parse("2026-11-26T17:47:15.810Z pid=1349 tid=bh INFO: Booting Sidekiq 6.4.1")?.event == .other)
        #expect(parse("Redis#sadd will always return an Integer in Redis 5.0.0.") == nil)
        #expect(parse("/usr/lib/ruby/gems/3.1.0/gems/sidekiq-6.5.12/lib/sidekiq/processor.rb:202:in `execute_job'") == nil)
        #expect(parse("2026-11-26T17:47:15.810Z pid=1349 tid=bh class=X jid=y INFO: sta") == .init(event: .other))
    }

    @Test func zones() {
        #expect(ZoneOffset.parse("UTC") == 0)
        #expect(ZoneOffset.parse("+01:00") == 3600)
        #expect(ZoneOffset.parse("-0530") == -19800)
        #expect(ZoneOffset.parse("nowhere/none") == nil)
    }
}
