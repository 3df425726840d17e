import Testing
@testable import KiqprofCore

@Suite struct TimeAndPeriodTests {
    @Test func isoTimestampsHaveMilliseconds() {
        #expect(ISOTimestamp.format(1795715276.1691823) == "2026-11-26T17:47:56.169Z")
        #expect(ISOTimestamp.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(ISOTimestamp.utcDate(1795715276) == "2026-11-26")
    }

    @Test func timeExpressions() throws {
        let now = 1795715276.0
        #expect(try TimeExpression.parse("2026-11-26T17:47:56Z", now: now) == 1795715276)
        #expect(try TimeExpression.parse("2026-11-26T18:47:56+01:00", now: now) == 1795715276)
        #expect(try TimeExpression.parse("2026-11-26 17:50:00 +0000", now: now) == 1795715400)
        #expect(try TimeExpression.parse("1795715276.5", now: now) == 1795715276.5)
        #expect(try TimeExpression.parse("now", now: now) == now)
        #expect(try TimeExpression.parse("-2h", now: now) == now - 7200)
        #expect(throws: KiqprofError.self) { try TimeExpression.parse("yesterday-ish", now: now) }
    }

    @Test func durations() throws {
        #expect(try DurationExpression.parse("500ms") == 0.5)
        #expect(try DurationExpression.parse("90s") == 90)
        #expect(try DurationExpression.parse("5m") == 300)
        #expect(try DurationExpression.parse("14d") == 14 * 86400)
        #expect(try DurationExpression.parse("42") == 42)
        #expect(throws: KiqprofError.self) { try DurationExpression.parse("soon") }
        #expect(DurationExpression.humanize(185) == "3m05s")
        #expect(DurationExpression.humanize(0.035) == "35ms")
        #expect(DurationExpression.humanize(4.24) == "4.2s")
    }

    @Test func cronPeriods() {
        #expect(CronPeriod.period(of: "* * * * *") == 60)
        #expect(CronPeriod.period(of: "*/5 * * * *") == 300)
        #expect(CronPeriod.period(of: "0 * * * *") == 3600)
        #expect(CronPeriod.period(of: "17 3 * * *") == 86400)
        #expect(CronPeriod.period(of: "0 4 * * 1") == 604800)
        #expect(CronPeriod.period(of: "*/20 * * * * *") == 20)
        #expect(CronPeriod.period(of: "0 0 1 * *") == nil)
        #expect(CronPeriod.period(of: "every 5 minutes") == nil)
    }

    @Test func rubyTimesOfTheSchedulers() {
        #expect(SidekiqTime.parseRubyTime("2026-11-26 17:50:00 +0000") == 1795715400)
        #expect(SidekiqTime.parseRubyTime("2026-11-26 17:35:27 UTC") == 1795714527)
        #expect(SidekiqTime.parseRubyTime("") == nil)
        #expect(SidekiqTime.epochSeconds(1795714220779) == 1795714220.779)
        #expect(SidekiqTime.epochSeconds(1795714220) == 1795714220)
    }
}
