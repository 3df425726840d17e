/// Least squares with non-negative coefficients (Lawson–Hanson active set), solved on the normal
/// equations so the samples are streamed once into a K×K Gram matrix. A small ridge term keeps
/// classes whose concurrency barely varies (a frequent tiny job) from soaking up noise with a huge
/// coefficient; it shrinks a class with a clear on/off pattern by about a percent.
public struct NonNegativeRegression {
    public let size: Int
    /// Per group (a host), the raw sums; centred per group when solving, which gives every group its own
    /// intercept without a column for it.
    private var groups: [Int32: Sums] = [:]

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
    }

    public init(size: Int) {
        self.size = size
    }

    /// Adds one observation: `y` with the sparse regressors `x` (column → value).
    public mutating func add(group: Int32, y: Double, columns: [Int], values: [Double]) {
        var sums = groups[group] ?? Sums(size: size)
        groups[group] = nil
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
        groups[group] = sums
    }

    public var observations: Double { groups.values.reduce(0) { $0 + $1.count } }

    /// The non-negative coefficients, one per column (0 for a column that never varied).
    public func solve(ridge: Double = 1e-3) -> [Double] {
        guard size > 0 else { return [] }
        var gram = [Double](repeating: 0, count: size * size)
        var target = [Double](repeating: 0, count: size)
        var total = 0.0
        for key in groups.keys.sorted() {
            let sums = groups[key]!
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
        let penalty = ridge * max(total, 1)
        for i in 0..<size { gram[i * size + i] += penalty }
        return Self.lawsonHanson(gram: gram, target: target, size: size)
    }

    /// Minimises ½βᵀGβ − cᵀβ subject to β ≥ 0.
    static func lawsonHanson(gram: [Double], target: [Double], size: Int) -> [Double] {
        var beta = [Double](repeating: 0, count: size)
        var passive = [Bool](repeating: false, count: size)
        let tolerance = 1e-10 * max(1, target.map(abs).max() ?? 1)
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
