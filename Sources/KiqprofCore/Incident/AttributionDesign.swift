/// The joint attribution's data, kept once: per host sample, the classes' work-weighted concurrency
/// (sparse) and the host's CPU and memory. Fitting it is feasible GLS for errors that carry over from one
/// sample to the next (Cochrane–Orcutt): a first fit in levels, the lag-1 autocorrelation ρ of its
/// residuals, then a fit of the quasi-differences y(t) − ρ·y(t−1) on x(t) − ρ·x(t−1).
///
/// Why: a host's CPU wanders within a run and between runs (the hog's own phases, a catch-up burst after
/// it), so levels residuals are strongly autocorrelated, and a fit in levels lets a class that merely
/// co-fires with the hog soak up part of it. Quasi-differences weigh the moments a class starts and ends,
/// where a co-firing sleeper that ends on its own shows that the CPU did not move with it. With white
/// residuals ρ ≈ 0 and this is the fit in levels.
public struct AttributionDesign: Sendable {
    public let size: Int
    private var hosts: [Int32] = []
    private var blocks: [Int32] = []
    /// Whether the sample follows the one before it on the same host without a sampling gap.
    private var continues: [Bool] = []
    private var cpu: [Double] = []
    private var memory: [Double] = []
    private var rowStart: [Int] = [0]
    private var columns: [Int] = []
    private var values: [Double] = []

    public enum Series: Sendable {
        case cpu, memory
    }

    /// Only the first `separable` columns may be merged into a joint effect (see `JointAttribution`).
    public let separable: Int

    public init(size: Int, separable: Int? = nil) {
        self.size = size
        self.separable = separable ?? size
    }

    /// Adds one sample; `cpu` or `memory` nil when the sample lacks it.
    public mutating func add(host: Int32, block: Int32, continues: Bool, cpu: Double?, memory: Double?, columns: [Int], values: [Double]) {
        hosts.append(host)
        blocks.append(block)
        self.continues.append(continues)
        self.cpu.append(cpu ?? .nan)
        self.memory.append(memory ?? .nan)
        self.columns.append(contentsOf: columns)
        self.values.append(contentsOf: values)
        rowStart.append(self.columns.count)
    }

    public var count: Int { hosts.count }

    public func observations(_ series: Series) -> Int {
        (series == .cpu ? cpu : memory).lazy.filter { !$0.isNaN }.count
    }

    /// The attribution of one series, with the autocorrelation used.
    public func fit(_ series: Series) -> (attribution: JointAttribution, rho: Double) {
        let y = series == .cpu ? cpu : memory
        var levels = NonNegativeRegression(size: size)
        for i in 0..<count where !y[i].isNaN {
            let row = rowStart[i]..<rowStart[i + 1]
            levels.add(group: hosts[i], block: blocks[i], y: y[i], columns: Array(columns[row]), values: Array(values[row]))
        }
        let levelEquations = levels.normalEquations()
        let beta = levelEquations.solve()
        let rho = residualAutocorrelation(y, beta: beta)
        guard rho > 0.05 else { return (JointAttribution.estimate(levels, separable: separable), rho) }

        var differences = NonNegativeRegression(size: size)
        var dense = [Double](repeating: 0, count: size)
        var touched: [Int] = [], outColumns: [Int] = [], outValues: [Double] = []
        for i in 1..<max(1, count) where continues[i] && !y[i].isNaN && !y[i - 1].isNaN {
            for k in rowStart[i]..<rowStart[i + 1] {
                if dense[columns[k]] == 0 { touched.append(columns[k]) }
                dense[columns[k]] += values[k]
            }
            for k in rowStart[i - 1]..<rowStart[i] {
                if dense[columns[k]] == 0 { touched.append(columns[k]) }
                dense[columns[k]] -= rho * values[k]
            }
            outColumns.removeAll(keepingCapacity: true)
            outValues.removeAll(keepingCapacity: true)
            for column in touched.sorted() where dense[column] != 0 {
                outColumns.append(column)
                outValues.append(dense[column])
            }
            for column in touched { dense[column] = 0 }
            touched.removeAll(keepingCapacity: true)
            differences.add(group: hosts[i], block: blocks[i], y: y[i] - rho * y[i - 1], columns: outColumns, values: outValues)
        }
        guard differences.observations > 0 else { return (JointAttribution.estimate(levels, separable: separable), rho) }
        // Each column keeps the ridge's pull it has in levels (penalty over its own variation), so a class
        // with few starts and ends (a one-off) is not shrunk harder for having few transitions.
        let differenceEquations = differences.normalEquations()
        let levelPenalty = 1e-3 * max(levelEquations.observations, 1)
        let penalties = (0..<size).map { i -> Double in
            let levelVariation = levelEquations.gram[i * size + i], differenceVariation = differenceEquations.gram[i * size + i]
            return levelVariation > 0 ? levelPenalty * differenceVariation / levelVariation : levelPenalty
        }
        return (JointAttribution.estimate(differences, penalties: penalties, separable: separable), rho)
    }

    /// The lag-1 autocorrelation of the levels fit's residuals within each host's unbroken runs of samples,
    /// in [0, 1].
    private func residualAutocorrelation(_ y: [Double], beta: [Double]) -> Double {
        var residuals = [Double](repeating: .nan, count: count)
        var sums: [Int32: (Double, Double)] = [:]
        for i in 0..<count where !y[i].isNaN {
            var fitted = 0.0
            for k in rowStart[i]..<rowStart[i + 1] { fitted += values[k] * beta[columns[k]] }
            residuals[i] = y[i] - fitted
            let sum = sums[hosts[i]] ?? (0, 0)
            sums[hosts[i]] = (sum.0 + residuals[i], sum.1 + 1)
        }
        var lagged = 0.0, squared = 0.0
        for i in 0..<count where !residuals[i].isNaN {
            let mean = sums[hosts[i]].map { $0.0 / $0.1 } ?? 0
            let centred = residuals[i] - mean
            squared += centred * centred
            if i > 0 && continues[i] && !residuals[i - 1].isNaN {
                lagged += centred * (residuals[i - 1] - mean)
            }
        }
        guard squared > 0 else { return 0 }
        return min(1, max(0, lagged / squared))
    }
}
