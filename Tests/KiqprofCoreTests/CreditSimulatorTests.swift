import KiqprofCore
import Testing

/// The credit arithmetic against cases worked by hand (README, "How credits are simulated").
@Suite("capacity: the CPU credit simulation")
struct CreditSimulatorTests {
    static let small = BurstableInstance.named("t4g.small")!

    /// `count` one-minute intervals at `demand` vCPUs from t = 0.
    func minutes(_ count: Int, at demand: Double?, from start: Double = 0) -> [CreditSimulator.Interval] {
        (0..<count).map { CreditSimulator.Interval(start: start + Double($0) * 60, end: start + Double($0 + 1) * 60, demandVCPUs: demand) }
    }

    @Test func theTableHoldsAWSsFigures() throws {
        #expect(Self.small.vCPUs == 2 && Self.small.baselinePctPerVCPU == 20 && Self.small.creditsPerHour == 24)
        #expect(Self.small.maximumCredits == 576 && Self.small.memoryGiB == 2)
        #expect(abs(Self.small.baselineVCPUs - 0.4) < 1e-12, "2 vCPUs × 20 % = 24 credits/h ÷ 60")
        let nano = try #require(BurstableInstance.named("T3A.NANO"))
        #expect(nano.maximumCredits == 144 && nano.baselineVCPUs == 0.1)
        #expect(BurstableInstance.named("t3.2xlarge")?.creditsPerHour == 192)
        #expect(BurstableInstance.all.count == 21)
        #expect(BurstableInstance.named("m5.large") == nil)
    }

    @Test func baselineExactlyMetKeepsTheBalance() {
        let simulator = CreditSimulator(instance: Self.small, startBalance: 100)
        let standard = simulator.standard(minutes(60, at: 0.4))
        #expect(abs(standard.endBalance - 100) < 1e-9)
        #expect(abs(standard.minimumBalance - 100) < 1e-9)
        #expect(abs(standard.earned - 24) < 1e-9 && abs(standard.demanded - 24) < 1e-9)
        #expect(standard.firstEmptyAt == nil && standard.throttledSeconds == 0 && standard.demandCutCredits == 0)
        let unlimited = simulator.unlimited(minutes(60, at: 0.4))
        #expect(unlimited.surplusSpent == 0 && unlimited.billableVCPUHours == 0)
    }

    @Test func drainedTheCPUIsHeldToBaselineAndTheCutIsCounted() throws {
        // 10 credits, 2 vCPUs for 10 minutes: the balance drains at 2 − 0.4 = 1.6 a minute, empty after 6.25 min;
        // 3.75 min held to baseline; demand cut 20 − 4 − 10 = 6 credits.
        let simulator = CreditSimulator(instance: Self.small, startBalance: 10)
        let standard = simulator.standard(minutes(10, at: 2))
        let empty = try #require(standard.firstEmptyAt)
        #expect(abs(empty - 375) < 1e-6)
        #expect(abs(standard.throttledSeconds - 225) < 1e-6)
        #expect(abs(standard.demandCutCredits - 6) < 1e-9)
        #expect(standard.endBalance == 0 && standard.minimumBalance == 0)
        // Unlimited: the same demand runs on 6 surplus credits, 0.1 vCPU-hours if the instance stopped there.
        let unlimited = simulator.unlimited(minutes(10, at: 2))
        #expect(abs(unlimited.surplusSpent - 6) < 1e-9)
        #expect(abs(unlimited.surplusOwedAtEnd - 6) < 1e-9 && unlimited.surplusBilledAtCap == 0)
        #expect(abs(unlimited.billableVCPUHours - 0.1) < 1e-9)
        #expect(abs(unlimited.endBalance + 6) < 1e-9)
    }

    @Test func recoveringEarnsBackAndStopsAtTheCap() {
        // From 0 at 0.1 vCPU: +0.3 a minute, 18 credits after an hour.
        let simulator = CreditSimulator(instance: Self.small, startBalance: 0)
        let recovering = simulator.standard(minutes(60, at: 0.1))
        #expect(abs(recovering.endBalance - 18) < 1e-9 && recovering.firstEmptyAt == nil)
        // From 570 idle for an hour: 24 earned, but the balance holds at most 576.
        let full = CreditSimulator(instance: Self.small, startBalance: 570).standard(minutes(60, at: 0))
        #expect(full.endBalance == 576)
        // Owed surplus is paid down first: 6 owed, then an hour at 0.1 vCPU pays 18, leaving 12.
        let unlimited = simulator.unlimited(minutes(10, at: 0.4) + minutes(5, at: 1.6, from: 600) + minutes(60, at: 0.1, from: 900))
        #expect(abs(unlimited.surplusSpent - 6) < 1e-9 && abs(unlimited.peakSurplus - 6) < 1e-9)
        #expect(abs(unlimited.endBalance - 12) < 1e-9 && unlimited.surplusOwedAtEnd == 0)
    }

    @Test func unlimitedBillsWhatGoesBeyondADayOfEarnings() throws {
        // t4g.nano (max 144) at 2 vCPUs for 24 h from full: 2880 used, 144 earned, 144 banked; AWS lets it owe 144,
        // the other 2448 are billed at once: (2448 + 144) / 60 = 43.2 vCPU-hours.
        let nano = try #require(BurstableInstance.named("t4g.nano"))
        let outcome = CreditSimulator(instance: nano, startBalance: 144).unlimited(minutes(1440, at: 2))
        #expect(abs(outcome.surplusBilledAtCap - 2448) < 1e-6)
        #expect(abs(outcome.surplusOwedAtEnd - 144) < 1e-9 && abs(outcome.peakSurplus - 144) < 1e-9)
        #expect(abs(outcome.billableVCPUHours - 43.2) < 1e-9)
    }

    @Test func aWindowsMeanDemandSaysHowLongAFullBalanceLasts() {
        var cpu = CapacityAnalysis.CPU()
        // 1 vCPU on a t4g.small: 24 earned − 60 used = −36 credits/h; 576 ÷ 36 = 16 h.
        cpu.meanDemandVCPUs = 1
        #expect(abs(cpu.netCreditsPerHour(on: Self.small) + 36) < 1e-9)
        #expect(abs((cpu.hoursFullBalanceLasts(on: Self.small) ?? 0) - 16) < 1e-9)
        // 3 vCPUs asked of 2: it uses 2, −96 credits/h, 6 h.
        cpu.meanDemandVCPUs = 3
        #expect(abs((cpu.hoursFullBalanceLasts(on: Self.small) ?? 0) - 6) < 1e-9)
        // 0.3 vCPU: 24 − 18 = +6 credits/h, never drains.
        cpu.meanDemandVCPUs = 0.3
        #expect(abs(cpu.netCreditsPerHour(on: Self.small) - 6) < 1e-9 && cpu.hoursFullBalanceLasts(on: Self.small) == nil)
    }

    @Test func unobservedIntervalsHoldTheBalanceAndDemandAboveTheVCPUsIsCapped() {
        let simulator = CreditSimulator(instance: Self.small, startBalance: 50)
        let held = simulator.standard(minutes(30, at: nil))
        #expect(held.endBalance == 50 && held.earned == 0)
        // 3 vCPUs asked of a 2-vCPU type: it can use 2 at most.
        let capped = simulator.standard(minutes(1, at: 3))
        #expect(abs(capped.demanded - 2) < 1e-9)
        #expect(abs(capped.endBalance - 48.4) < 1e-9)
        #expect(CreditSimulator(instance: Self.small, startBalance: 9999).startBalance == 576)
    }
}
