/// Replays a window's CPU demand against a burstable instance's CPU credits, in standard mode (the balance
/// cannot go below zero: the CPU is held to its baseline) and in unlimited mode (it bursts on surplus credits,
/// which AWS bills per vCPU-hour). Pure; one pass over the intervals.
public struct CreditSimulator: Sendable {
    /// CPU demand over [start, end], in vCPUs (2.0 is two vCPUs busy). Nil: not observed; the balance is held,
    /// as if demand sat exactly at the baseline.
    public struct Interval: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var demandVCPUs: Double?

        public init(start: Double, end: Double, demandVCPUs: Double?) {
            self.start = start
            self.end = end
            self.demandVCPUs = demandVCPUs
        }

        public var minutes: Double { max(0, end - start) / 60 }
    }

    /// One mode's account over the window. Credits throughout: one vCPU at 100 % for one minute.
    public struct Outcome: Sendable, Equatable {
        public var startBalance: Double
        public var endBalance = 0.0
        public var minimumBalance: Double
        public var minimumAt: Double?
        public var earned = 0.0
        /// Credits the demand asked for (vCPU-minutes, above and below the baseline alike).
        public var demanded = 0.0
        /// Standard mode: when the balance first reached zero, how long the CPU was then held to its baseline
        /// while demand was above it, and the vCPU-minutes of demand that could not run.
        public var firstEmptyAt: Double?
        public var throttledSeconds = 0.0
        public var demandCutCredits = 0.0
        /// Unlimited mode: credits spent beyond the balance, the most owed at once, what went beyond the 24 h of
        /// earnings AWS lets an instance owe (billed at once), and what was still owed at the window's end.
        public var surplusSpent = 0.0
        public var peakSurplus = 0.0
        public var surplusBilledAtCap = 0.0
        public var surplusOwedAtEnd = 0.0
        /// The balance at the end of each interval (negative in unlimited mode: surplus owed).
        public var balances: [Double] = []

        init(startBalance: Double) {
            self.startBalance = startBalance
            self.minimumBalance = startBalance
        }

        /// Surplus credits billed (at the cap, and the rest if the instance stopped at the window's end), as vCPU-hours.
        public var billableVCPUHours: Double { (surplusBilledAtCap + surplusOwedAtEnd) / 60 }
    }

    public var instance: BurstableInstance
    public var startBalance: Double

    public init(instance: BurstableInstance, startBalance: Double) {
        self.instance = instance
        self.startBalance = min(max(0, startBalance), instance.maximumCredits)
    }

    public func standard(_ intervals: [Interval]) -> Outcome {
        let cap = instance.maximumCredits, rate = instance.baselineVCPUs
        return replay(intervals) { balance, earned, used, demand, interval, outcome in
            if balance + earned - used >= 0 {
                balance = min(cap, balance + earned - used)
                return
            }
            // Demand above the baseline drains the balance at (demand − baseline) per minute; once it is empty
            // the rest of the interval runs at the baseline.
            let untilEmpty = balance / (demand - rate)
            if outcome.firstEmptyAt == nil { outcome.firstEmptyAt = interval.start + untilEmpty * 60 }
            outcome.throttledSeconds += (interval.minutes - untilEmpty) * 60
            outcome.demandCutCredits += used - earned - balance
            balance = 0
        }
    }

    public func unlimited(_ intervals: [Interval]) -> Outcome {
        let cap = instance.maximumCredits
        var outcome = replay(intervals) { balance, earned, used, _, _, outcome in
            let owedBefore = max(0, -balance)
            // Earned credits pay down what is owed first, then fill the balance up to its cap.
            balance = min(cap, balance + earned - used)
            var owed = max(0, -balance)
            outcome.surplusSpent += max(0, owed - owedBefore)
            // AWS lets an instance owe at most the credits it earns in 24 h; beyond that they are billed at once.
            if owed > cap {
                outcome.surplusBilledAtCap += owed - cap
                owed = cap
                balance = -cap
            }
            outcome.peakSurplus = max(outcome.peakSurplus, owed)
        }
        outcome.surplusOwedAtEnd = max(0, -outcome.endBalance)
        return outcome
    }

    /// The walk both modes share: demand capped at the vCPUs, credits earned and asked for, the balance after each
    /// interval and its lowest point; `step` moves the balance as its mode does (unobserved intervals hold it).
    private func replay(_ intervals: [Interval],
                        step: (inout Double, Double, Double, Double, Interval, inout Outcome) -> Void) -> Outcome {
        var outcome = Outcome(startBalance: startBalance)
        var balance = startBalance
        outcome.balances.reserveCapacity(intervals.count)
        for interval in intervals {
            if let demand = interval.demandVCPUs.map({ min(max(0, $0), Double(instance.vCPUs)) }) {
                let earned = instance.baselineVCPUs * interval.minutes, used = demand * interval.minutes
                outcome.earned += earned
                outcome.demanded += used
                step(&balance, earned, used, demand, interval, &outcome)
            }
            outcome.balances.append(balance)
            if balance < outcome.minimumBalance {
                outcome.minimumBalance = balance
                outcome.minimumAt = interval.end
            }
        }
        outcome.endBalance = balance
        return outcome
    }
}
