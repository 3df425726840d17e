/// An EC2 burstable instance type: how many vCPUs it has, the baseline it may run at without spending credits,
/// the credits it earns and can bank, and its memory. Figures are AWS's published ones (README, "Instance table").
public struct BurstableInstance: Sendable, Equatable {
    public var name: String
    public var vCPUs: Int
    /// Baseline utilisation per vCPU, percent: the load it can hold forever without spending credits.
    public var baselinePctPerVCPU: Double
    /// CPU credits earned per hour; one credit is one vCPU at 100 % for one minute.
    public var creditsPerHour: Double
    public var memoryGiB: Double

    public init(name: String, vCPUs: Int, baselinePctPerVCPU: Double, creditsPerHour: Double, memoryGiB: Double) {
        self.name = name
        self.vCPUs = vCPUs
        self.baselinePctPerVCPU = baselinePctPerVCPU
        self.creditsPerHour = creditsPerHour
        self.memoryGiB = memoryGiB
    }

    /// The most earned credits the balance can hold: 24 hours of earning.
    public var maximumCredits: Double { creditsPerHour * 24 }
    /// The baseline in vCPUs (credits earned per minute): 0.4 for a t4g.small's 2 × 20 %.
    public var baselineVCPUs: Double { creditsPerHour / 60 }
    public var memoryMB: Double { memoryGiB * 1024 }
    /// `t4g` of `t4g.small`.
    public var family: String { String(name.prefix { $0 != "." }) }

    /// t3, t3a and t4g, nano to 2xlarge: the three families share the credit figures size for size.
    public static let all: [BurstableInstance] = ["t3", "t3a", "t4g"].flatMap { family in
        sizes.map { size in
            BurstableInstance(name: "\(family).\(size.name)", vCPUs: size.vCPUs, baselinePctPerVCPU: size.baseline,
                              creditsPerHour: size.credits, memoryGiB: size.memory)
        }
    }

    private static let sizes: [(name: String, vCPUs: Int, baseline: Double, credits: Double, memory: Double)] = [
        ("nano", 2, 5, 6, 0.5), ("micro", 2, 10, 12, 1), ("small", 2, 20, 24, 2), ("medium", 2, 20, 24, 4),
        ("large", 2, 30, 36, 8), ("xlarge", 4, 40, 96, 16), ("2xlarge", 8, 40, 192, 32),
    ]

    /// The listed type of that name (case-insensitive), or nil.
    public static func named(_ name: String) -> BurstableInstance? {
        let wanted = name.lowercased()
        return all.first { $0.name == wanted }
    }
}
