import Foundation
import Testing
@testable import KiqprofCore

/// The forecasts on generated histories with a known answer.
@Suite("early warnings")
struct EarlyWarningForecasterTests {
    @Test("a periodic class growing 25 % a run overlaps its 30 min period in about 4 runs (2 h)")
    func growingPeriodicClass() throws {
        let durations = (0..<6).map { 300 * pow(1.25, Double($0)) }
        let warning = try #require(EarlyWarningForecaster.periodicGrowth(jobClass: "TrendsJob", period: 1800, durations: durations))
        #expect(warning.runsLeft == 4)
        #expect(abs((warning.growthPerRun ?? 0) - 1.25) < 1e-9)
        #expect(warning.secondsLeft == 7200)
        #expect(warning.message.hasSuffix("at this rate it overlaps its next run in about 4 runs (2 h)"), "\(warning.message)")
    }

    @Test("steady, noisy, shrinking, one outlier, too few runs, or already over the period: no warning")
    func noFalseAlarms() {
        let cases: [[Double]] = [
            Array(repeating: 300, count: 8),
            [300, 320, 290, 310, 305, 295, 315, 300],
            (0..<8).map { 900 * pow(0.9, Double($0)) },
            [300, 300, 300, 300, 300, 300, 300, 1500],
            [300, 400, 500],
            (0..<6).map { 1000 * pow(1.25, Double($0)) },
        ]
        for durations in cases {
            #expect(EarlyWarningForecaster.periodicGrowth(jobClass: "J", period: 1800, durations: durations) == nil, "\(durations)")
        }
    }

    @Test("growth too slow to matter within the horizon is not a warning")
    func beyondHorizon() {
        let durations = (0..<8).map { 60 * pow(1.06, Double($0)) }
        #expect(EarlyWarningForecaster.periodicGrowth(jobClass: "J", period: 3600, durations: durations) == nil)
    }

    @Test("memory falling 150 MB a minute with 3750 MB left: about 25 min; flat or rising: nothing")
    func memory() throws {
        func series(_ value: (Double) -> Double) -> [(t: Double, availableMB: Double)] {
            (0...60).map { step -> (t: Double, availableMB: Double) in
                let t = Double(step) * 10
                return (t, value(t))
            }
        }
        let falling = series { t in 3750 + (600 - t) / 60 * 150 }
        let warning = try #require(EarlyWarningForecaster.memoryExhaustion(host: "web-1", samples: falling))
        #expect(abs(warning.secondsLeft - 1500) < 1)
        #expect(warning.message.contains("about 25 min to exhaustion at the last 10 min's rate"), "\(warning.message)")
        let flat = series { _ in 3750 }
        #expect(EarlyWarningForecaster.memoryExhaustion(host: "web-1", samples: flat) == nil)
        let rising = series { t in 8000 - (3750 + (600 - t) / 60 * 150) }
        #expect(EarlyWarningForecaster.memoryExhaustion(host: "web-1", samples: rising) == nil)
        let slow = series { t in 20000 - t / 10 }
        #expect(EarlyWarningForecaster.memoryExhaustion(host: "web-1", samples: slow) == nil, "days away is not early warning")
    }

    @Test("the check judges a forecast as WARNING, never CRITICAL")
    func checkState() {
        var input = CheckInput(now: 10_000)
        var facts = CheckInput.StoreFacts()
        facts.newestSample = 9_999
        facts.hostSamples = (0...60).map { step in
            var sample = HostSample(t: 10_000 - 600 + Double(step) * 10, host: "web-1", source: .proc)
            sample.memTotalKiB = 16 * 1024 * 1024
            sample.memAvailableKiB = Int((2000 + (600 - Double(step) * 10) / 60 * 400) * 1024)
            return sample
        }
        input.store = facts
        let result = HealthCheck().evaluate(input)
        let item = result.items.first { $0.kind == .memExhaustion }
        #expect(item?.state == .warning)
        #expect(result.state == .warning)
    }
}
