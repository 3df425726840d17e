/// The result of `capacity`: CPU credits against a burstable instance, memory headroom, Sidekiq's processes and
/// their growth, the per-class memory costs, and advice that carries its own arithmetic.
public struct CapacityAnalysis: Sendable {
    /// Hourly CPU demand against the instance's baseline, with each mode's balance at the hour's end.
    public struct Hour: Sendable, Equatable {
        public var start: Double
        public var meanDemandVCPUs: Double
        public var maxDemandVCPUs: Double
        public var standardBalance: Double?
        public var unlimitedBalance: Double?
    }

    /// Simulated balances against imported CloudWatch `CPUCreditBalance` at the same instants.
    public struct CreditCheck: Sendable, Equatable {
        public var samples: Int
        public var meanAbsoluteDifference: Double
        public var maximumAbsoluteDifference: Double
        public var observedMinimum: Double
        public var observedMinimumAt: Double
    }

    public struct CPU: Sendable {
        public var intervals = 0
        /// Time-weighted mean and 99th percentile of demand, in vCPUs of the analysed host's CPU-seconds.
        public var meanDemandVCPUs = 0.0
        public var p99DemandVCPUs = 0.0
        /// The host's vCPU count the percentages were scaled by, and whether it was assumed (not recorded).
        public var hostCPUs = 0
        public var hostCPUsAssumed = false
        /// vCPU-minutes of demand beyond the instance's vCPUs (which it could not have run at all).
        public var demandBeyondVCPUsCredits = 0.0
        public var unobservedSeconds = 0.0
        public var hours: [Hour] = []
        public var hoursAboveBaseline = 0
        public var startBalance = 0.0
        public var startBalanceSource = ""
        public var standard: CreditSimulator.Outcome?
        public var unlimited: CreditSimulator.Outcome?
        public var cloudWatch: CreditCheck?

        public init() {}

        /// Credits per hour the balance gains (+) or loses (−) at the window's mean demand: (baseline − mean) × 60.
        public func netCreditsPerHour(on instance: BurstableInstance) -> Double {
            (instance.baselineVCPUs - min(meanDemandVCPUs, Double(instance.vCPUs))) * 60
        }

        /// Hours a full balance lasts at the window's mean demand; nil when that demand does not drain it.
        /// A short window's simulation says little about a daily budget; this says how it would go if it went on.
        public func hoursFullBalanceLasts(on instance: BurstableInstance) -> Double? {
            let net = netCreditsPerHour(on: instance)
            return net < 0 ? instance.maximumCredits / -net : nil
        }
    }

    public struct Memory: Sendable, Equatable {
        public var samples = 0
        public var peakUsedMB = 0.0
        public var peakAt = 0.0
        public var p99UsedMB = 0.0
        /// The analysed host's RAM, and the memory judged against: the instance's, else the host's.
        public var hostTotalMB: Double?
        public var budgetMB: Double?
        public var budgetSource = ""
        /// The host's memory in use outside Sidekiq's processes (median, where both were sampled).
        public var outsideSidekiqMB: Double?
    }

    /// What one run of a class costs in memory: the joint attribution, else its process's median RSS growth.
    public struct ClassCost: Sendable, Equatable {
        public var jobClass: String
        public var runs: Int
        public var memAttribMB: Double?
        public var rssGrowthMedianMB: Double?
        public var rssGrowthMaxMB: Double?
        public var costMB: Double
        public var basis: String

        public init(jobClass: String, runs: Int, memAttribMB: Double?, rssGrowthMedianMB: Double?, rssGrowthMaxMB: Double?,
                    costMB: Double, basis: String) {
            self.jobClass = jobClass
            self.runs = runs
            self.memAttribMB = memAttribMB
            self.rssGrowthMedianMB = rssGrowthMedianMB
            self.rssGrowthMaxMB = rssGrowthMaxMB
            self.costMB = costMB
            self.basis = basis
        }
    }

    /// How many runs fit at once in the memory left for Sidekiq, with 20 % of the instance kept free.
    public struct Budget: Sendable, Equatable {
        public var memoryMB: Double
        public var headroomFraction: Double
        public var outsideSidekiqMB: Double
        public var processes: Int
        public var baseRSSMB: Double
        public var heaviest: ClassCost?
        public var typicalRunMB: Double

        public init(memoryMB: Double, headroomFraction: Double, outsideSidekiqMB: Double, processes: Int, baseRSSMB: Double,
                    heaviest: ClassCost?, typicalRunMB: Double) {
            self.memoryMB = memoryMB
            self.headroomFraction = headroomFraction
            self.outsideSidekiqMB = outsideSidekiqMB
            self.processes = processes
            self.baseRSSMB = baseRSSMB
            self.heaviest = heaviest
            self.typicalRunMB = typicalRunMB
        }
        /// memory × (1 − headroom) − outside Sidekiq.
        public var sidekiqMB: Double { memoryMB * (1 - headroomFraction) - outsideSidekiqMB }
        /// What is left for typical runs: Sidekiq's share less the processes' base RSS and one heaviest run.
        public var leftForTypicalRunsMB: Double { sidekiqMB - Double(processes) * baseRSSMB - (heaviest?.costMB ?? 0) }
        /// One run of the heaviest class plus as many typical runs as the rest allows; nil when unbounded
        /// (runs cost nothing measurable); negative when even the processes alone do not fit.
        public var runsAtOnce: Int? {
            let left = leftForTypicalRunsMB
            if left < 0 { return heaviest == nil ? -1 : 0 }
            guard typicalRunMB >= 1 else { return nil }
            return (heaviest == nil ? 0 : 1) + Int(left / typicalRunMB)
        }
    }

    /// One piece of advice: what to set, the verdict, the arithmetic behind it and its numbers.
    public struct Advice: Sendable, Equatable {
        /// `concurrency`, `db_pool`, `allocator`, `periodic_restart`, `instance_type`, `disable_schedule`.
        public var kind: String
        public var setting: String?
        public var verdict: String
        public var arithmetic: [String]
        public var values: [(String, Double?)]

        public init(kind: String, setting: String?, verdict: String, arithmetic: [String], values: [(String, Double?)] = []) {
            self.kind = kind
            self.setting = setting
            self.verdict = verdict
            self.arithmetic = arithmetic
            self.values = values
        }

        public static func == (lhs: Advice, rhs: Advice) -> Bool {
            lhs.kind == rhs.kind && lhs.setting == rhs.setting && lhs.verdict == rhs.verdict && lhs.arithmetic == rhs.arithmetic
        }
    }

    /// A listed type that would have held the window: its peak memory with headroom, and its CPU without
    /// running out of credits in standard mode.
    public struct Fit: Sendable, Equatable {
        public var instance: String
        public var memoryMB: Double
        public var peakShareOfMemory: Double
        public var minimumStandardBalance: Double?
    }

    public var from: Double
    public var to: Double
    public var instance: BurstableInstance?
    public var host: String?
    /// Hosts in the store other than the analysed one (left out: capacity is one machine's).
    public var otherHosts: [String] = []
    public var runs = 0
    public var hostSamples = 0
    public var processSamples = 0
    public var cpu: CPU?
    public var memory: Memory?
    public var processes: [ProcessMemoryGrowth] = []
    public var classCosts: [ClassCost] = []
    public var budget: Budget?
    public var advice: [Advice] = []
    /// The smallest listed type of each family that would have held the window.
    public var smallestFits: [Fit] = []
    public var settings: SidekiqSettings?
    public var lint: [SettingsLint.Finding] = []
    /// Sentences about absent data, each saying what is missing and what it costs.
    public var missing: [String] = []

    public init(from: Double, to: Double) {
        self.from = from
        self.to = to
    }
}
