import Foundation
import Testing
@testable import KiqprofCore

/// Inputs that trapped: an arithmetic overflow, or an Int made from a Double no Int holds. `make fuzz` found the
/// first; the rest came from reading the parsers while writing its harnesses, and each trapped its harness too.
/// The parsers must refuse such input or read past it, never stop the process.
@Suite struct FuzzRegressionTests {
    func parse(_ line: String, clock: SidekiqLogParser.Clock? = nil) -> SidekiqLogLine? {
        Array(line.utf8).withUnsafeBytes { SidekiqLogParser.parse($0, clock: clock) }
    }

    @Test func journaldByteArrayMessageWithANumberPastAnyByte() {
        #expect(parse(#"{"MESSAGE":[11111111111111111111111]}"#) == nil)
    }

    @Test func textLineWithATwentyDigitPid() {
        #expect(parse("pid=99999999999999999999 tid=a INFO: x") == nil)
        #expect(parse("2026-11-26T17:30:57.757Z pid=99999999999999999999 tid=a INFO: x") == nil)
    }

    @Test func journaldShortTimeOutsideAnyClock() {
        let clock = SidekiqLogParser.Clock(year: 2026, utcOffset: 0)
        for prefix in ["Nov 99999999999999999 17:30:57", "Nov 26 9999999999999999:30:57"] {
            // The line still parses as journald's; only its time is refused, so the job line has none.
            let line = parse("\(prefix) vm bundle[1]: pid=1 tid=a class=A jid=b INFO: start", clock: clock)
            #expect(line == SidekiqLogLine(event: .other, host: "vm", format: .journald), "\(prefix)")
        }
        let valid = Array("Nov 26 17:30:57 vm".utf8).withUnsafeBytes { SidekiqLogParser.journaldTime($0, clock: clock) }
        #expect(valid == TimeExpression.parseISO("2026-11-26T17:30:57Z"))
    }

    @Test func sidekiqJSONLineWithAPidNoIntHolds() {
        for pid in ["1e300", "-1e300"] {
            #expect(parse(#"{"ts":"2026-11-26T17:30:57.757Z","pid":\#(pid),"tid":"a","msg":"x"}"#) == nil, "\(pid)")
        }
        #expect(parse(#"{"ts":"2026-11-26T17:30:57.757Z","pid":7,"tid":"a","msg":"x"}"#) == .init(event: .other, format: .json))
    }

    @Test func payloadWithARetryCountNoIntHolds() throws {
        let payload = try JobPayload.decode(Array(#"{"class":"A","retry_count":1e300}"#.utf8))
        #expect(payload.jobClass == "A" && payload.retryCount == nil)
        #expect(try JobPayload.decode(Array(#"{"class":"A","retry_count":3}"#.utf8)).retryCount == 3)
    }

    @Test func prometheusMemoryNoIntHolds() throws {
        let document = #"{"status":"success","data":{"result":[{"metric":{"__name__":"node_memory_MemTotal_bytes"},"#
            + #""values":[[1,"1e300"],[2,"2048"]]}]}}"#
        let samples = try PrometheusDocument.samples(Array(document.utf8), name: "prom.json", host: "h").samples
        #expect(samples.map(\.memTotalKiB) == [nil, 2])
    }

    @Test func sarMemoryNoIntHolds() throws {
        let document = #"{"sysstat":{"hosts":[{"statistics":[{"timestamp":{"date":"2026-11-24","time":"14:10:01","tz":"UTC"},"#
            + #""memory":{"avail":1e300,"memused":1,"swpfree":1e300,"swpused":1}}]}]}}"#
        let sample = try #require(try SarDocument.samples(Array(document.utf8), name: "sar.json", host: nil, localOffset: 0).first)
        #expect(sample.memAvailableKiB == nil && sample.memTotalKiB == nil && sample.swapFreeKiB == nil)
    }
}
