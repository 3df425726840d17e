/// Least squares with non-negative coefficients (Lawson–Hanson active set), solved on the normal
/// equations so the samples are streamed once into a K×K Gram matrix. A small ridge term keeps
/// classes whose concurrency barely varies (a frequent tiny job) from soaking up noise with a huge
/// coefficient; it shrinks a class with a clear on/off pattern by about a percent.
public struct NonNegativeRegression {
    public let size: Int
    /// Raw sums per cell: a host (`group`) and a stretch of time (`block`). Hosts are centred separately
    /// when solving, which gives every host its own intercept without a column for it; blocks only
    /// partition the sums so a bootstrap can resample them.
    private var cells: [Cell: Sums] = [:]

    private struct Cell: Hashable, Comparable {
        var group: Int32
        var block: Int32

        static func < (lhs: Cell, rhs: Cell) -> Bool { (lhs.group, lhs.block) < (rhs.group, rhs.block) }
    }

    private struct Sums {
        var count = 0.0
        var sumY = 0.0
        var sumX: [Double]
        var sumXY: [Double]
        var sumXX: [Double]

        init(size: Int) {
            sumX = [Double](repeating: 0, count: size)
            sumXY = [Double](repeating: 0, count: size)
            sumXX = [Double](repeating: 0, count: size * size)
        }

        mutating func add(_ other: Sums, times weight: Double) {
            count += weight * other.count
            sumY += weight * other.sumY
            for i in sumX.indices {
                sumX[i] += weight * other.sumX[i]
                sumXY[i] += weight * other.sumXY[i]
            }
            for i in sumXX.indices { sumXX[i] += weight * other.sumXX[i] }
        }
    }

    /// The centred normal equations: Gram matrix (size × size), target and observation count.
    public struct NormalEquations: Sendable {
        public var size: Int
        public var gram: [Double]
        public var target: [Double]
        public var observations: Double

        /// The equations for merged columns: `members[k]` are the original columns summed into column k.
        public func merged(_ members: [[Int]]) -> NormalEquations {
            let k = members.count
            var gram = [Double](repeating: 0, count: k * k), target = [Double](repeating: 0, count: k)
            for (a, left) in members.enumerated() {
                for i in left { target[a] += self.target[i] }
                for (b, right) in members.enumerated() {
                    for i in left { for j in right { gram[a * k + b] += self.gram[i * size + j] } }
                }
            }
            return NormalEquations(size: k, gram: gram, target: target, observations: observations)
        }

        /// The sum of the Gram matrix's diagonal: the regressors' total variation.
        public var trace: Double { (0..<size).reduce(0) { $0 + gram[$1 * size + $1] } }

        /// The correlation of two columns across the observations (0 when either never varied).
        public func correlation(_ i: Int, _ j: Int) -> Double {
            let denominator = (gram[i * size + i] * gram[j * size + j]).squareRoot()
            return denominator > 0 ? gram[i * size + j] / denominator : 0
        }

        /// The non-negative coefficients, one per column (0 for a column that never varied). `start`: the
        /// columns expected to be positive (a solution of similar equations), which usually ends the
        /// active-set search in one step.
        public func solve(ridge: Double = 1e-3, start: [Bool]? = nil) -> [Double] {
            solve(penalties: [Double](repeating: ridge * max(observations, 1), count: size), start: start)
        }

        /// The same with the ridge term given outright, per column (added to the diagonal).
        public func solve(penalties: [Double], start: [Bool]? = nil) -> [Double] {
            guard size > 0 else { return [] }
            var gram = self.gram
            for i in 0..<size { gram[i * size + i] += penalties[i] }
            return NonNegativeRegression.lawsonHanson(gram: gram, target: target, size: size, start: start)
        }
    }

    public init(size: Int) {
        self.size = size
    }

    /// Adds one observation: `y` with the sparse regressors `x` (column → value).
    public mutating func add(group: Int32, block: Int32 = 0, y: Double, columns: [Int], values: [Double]) {
        let cell = Cell(group: group, block: block)
        var sums = cells[cell] ?? Sums(size: size)
        cells[cell] = nil
        sums.count += 1
        sums.sumY += y
        for (a, column) in columns.enumerated() {
            let value = values[a]
            sums.sumX[column] += value
            sums.sumXY[column] += value * y
            for (b, other) in columns.enumerated() {
                sums.sumXX[column * size + other] += value * values[b]
            }
        }
        cells[cell] = sums
    }

    public var observations: Double { cells.values.reduce(0) { $0 + $1.count } }

    /// The blocks that hold observations, ascending.
    public var blocks: [Int32] { Array(Set(cells.keys.map(\.block))).sorted() }

    /// The normal equations, each block counted `blockWeights[block]` times (once when nil: a bootstrap
    /// passes how often it drew each block).
    public func normalEquations(blockWeights: [Int32: Double]? = nil) -> NormalEquations {
        var perGroup: [Int32: Sums] = [:]
        for cell in cells.keys.sorted() {
            let weight = blockWeights.map { $0[cell.block] ?? 0 } ?? 1
            guard weight > 0 else { continue }
            perGroup[cell.group, default: Sums(size: size)].add(cells[cell]!, times: weight)
        }
        var gram = [Double](repeating: 0, count: size * size)
        var target = [Double](repeating: 0, count: size)
        var total = 0.0
        for key in perGroup.keys.sorted() {
            let sums = perGroup[key]!
            guard sums.count > 0 else { continue }
            total += sums.count
            let meanY = sums.sumY / sums.count
            for i in 0..<size {
                let meanXi = sums.sumX[i] / sums.count
                target[i] += sums.sumXY[i] - sums.count * meanXi * meanY
                for j in 0..<size {
                    gram[i * size + j] += sums.sumXX[i * size + j] - sums.count * meanXi * (sums.sumX[j] / sums.count)
                }
            }
        }
        return NormalEquations(size: size, gram: gram, target: target, observations: total)
    }

    /// The non-negative coefficients over every observation.
    public func solve(ridge: Double = 1e-3) -> [Double] {
        normalEquations().solve(ridge: ridge)
    }

    /// Minimises ½βᵀGβ − cᵀβ subject to β ≥ 0.
    static func lawsonHanson(gram: [Double], target: [Double], size: Int, start: [Bool]? = nil) -> [Double] {
        var beta = [Double](repeating: 0, count: size)
        var passive = [Bool](repeating: false, count: size)
        let tolerance = 1e-10 * max(1, target.map(abs).max() ?? 1)
        // A warm start is taken only when it is feasible: its unconstrained solution is all positive.
        if let start, start.count == size, start.contains(true) {
            let indices = (0..<size).filter { start[$0] }
            let solution = solveSubsystem(gram: gram, target: target, size: size, indices: indices)
            if solution.allSatisfy({ $0 > 0 }) {
                for (k, index) in indices.enumerated() { beta[index] = solution[k] }
                passive = start
            }
        }
        func gradient() -> [Double] {
            (0..<size).map { i in target[i] - (0..<size).reduce(0) { $0 + gram[i * size + $1] * beta[$1] } }
        }
        var iterations = 0
        while iterations < 3 * size + 10 {
            iterations += 1
            let w = gradient()
            var candidate = -1
            var best = tolerance
            for j in 0..<size where !passive[j] && w[j] > best {
                best = w[j]
                candidate = j
            }
            guard candidate >= 0 else { break }
            passive[candidate] = true
            while true {
                let indices = (0..<size).filter { passive[$0] }
                let solution = solveSubsystem(gram: gram, target: target, size: size, indices: indices)
                var trial = [Double](repeating: 0, count: size)
                for (k, index) in indices.enumerated() { trial[index] = solution[k] }
                if indices.allSatisfy({ trial[$0] > 0 }) {
                    beta = trial
                    break
                }
                var alpha = 1.0
                for index in indices where trial[index] <= 0 {
                    let denominator = beta[index] - trial[index]
                    if denominator > 0 { alpha = min(alpha, beta[index] / denominator) }
                }
                for index in 0..<size { beta[index] += alpha * (trial[index] - beta[index]) }
                for index in indices where beta[index] <= 1e-12 {
                    passive[index] = false
                    beta[index] = 0
                }
                if !passive.contains(true) { break }
            }
        }
        return beta
    }

    /// Solves G[P,P]·s = c[P] by Cholesky (G is positive definite thanks to the ridge).
    private static func solveSubsystem(gram: [Double], target: [Double], size: Int, indices: [Int]) -> [Double] {
        let n = indices.count
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = gram[indices[i] * size + indices[j]]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    l[i * n + i] = sum > 1e-12 ? sum.squareRoot() : 1e-6
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var z = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = target[indices[i]]
            for k in 0..<i { sum -= l[i * n + k] * z[k] }
            z[i] = sum / l[i * n + i]
        }
        var s = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = z[i]
            for k in (i + 1)..<n { sum -= l[k * n + i] * s[k] }
            s[i] = sum / l[i * n + i]
        }
        return s
    }
}
