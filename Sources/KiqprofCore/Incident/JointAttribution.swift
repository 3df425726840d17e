/// Turns a filled `NonNegativeRegression` into per-class effects with honest uncertainty:
/// - columns the data cannot tell apart (their regressors move together, as when two classes start and
///   end together every time) are merged and get one joint effect instead of an arbitrary split;
/// - every effect gets a 95 % interval from a moving-block bootstrap: the blocks of time the sums were
///   kept in are drawn with replacement and the equations solved again. Blocks keep the time structure
///   (a run spans many samples) that resampling single samples would break. The seed is fixed, so the
///   same data give the same interval.
public struct JointAttribution: Sendable, Equatable {
    public struct Effect: Sendable, Equatable {
        /// The columns this effect belongs to (more than one: a joint effect).
        public var members: [Int]
        public var value: Double
        public var low: Double?
        public var high: Double?
    }

    /// One effect per group of columns; `effectOf[column]` indexes into it.
    public var effects: [Effect]
    public var effectOf: [Int]

    /// Columns whose regressors correlate at least this much are not separable.
    public static let inseparableCorrelation = 0.95
    public static let replicates = 200
    /// Fewer blocks than this give no interval: too few to resample.
    public static let minimumBlocks = 6

    /// - Parameter penalties: the ridge term per column (see `NonNegativeRegression`); nil for its default
    ///   of 1e-3 per observation. A merged column takes the sum of its members'.
    /// - Parameter separable: only columns below this may be merged (the rest are never joint).
    public static func estimate(_ regression: NonNegativeRegression, penalties: [Double]? = nil, separable: Int? = nil,
                                replicates: Int = replicates, seed: UInt64 = 0x6b69_7170) -> JointAttribution {
        let equations = regression.normalEquations()
        let columnPenalties = penalties ?? [Double](repeating: 1e-3 * max(equations.observations, 1), count: regression.size)
        let members = groups(equations, separable: separable ?? regression.size)
        let penalty = members.map { $0.reduce(0) { $0 + columnPenalties[$1] } }
        var effectOf = [Int](repeating: 0, count: regression.size)
        for (index, group) in members.enumerated() { for column in group { effectOf[column] = index } }
        let merged = equations.merged(members)
        let values = merged.solve(penalties: penalty)
        // A merged column counts one run of each member as |members|: the joint effect of one run of each.
        var effects = zip(members, values).map { Effect(members: $0, value: $1 * Double($0.count)) }

        let blocks = regression.blocks
        guard blocks.count >= minimumBlocks, replicates > 0 else { return JointAttribution(effects: effects, effectOf: effectOf) }
        var generator = SplitMix64(seed: seed)
        var draws = [[Double]](repeating: [], count: members.count)
        let positive = values.map { $0 > 0 }
        let variation = (0..<members.count).map { merged.gram[$0 * members.count + $0] }
        for _ in 0..<replicates {
            var weights: [Int32: Double] = [:]
            for _ in blocks.indices { weights[blocks[Int(generator.next() % UInt64(blocks.count))], default: 0] += 1 }
            let equations = regression.normalEquations(blockWeights: weights).merged(members)
            let sample = equations.solve(penalties: penalty, start: positive)
            // A replicate that drew too little of a class (a one-off's block left out) says nothing about it.
            for index in sample.indices where equations.gram[index * members.count + index] >= 0.25 * variation[index] {
                draws[index].append(sample[index])
            }
        }
        for index in effects.indices where draws[index].count >= replicates / 4 {
            let sorted = draws[index].sorted()
            let scale = Double(members[index].count)
            effects[index].low = IncidentAnalyzer.percentile(sorted, 0.025).map { $0 * scale }
            effects[index].high = IncidentAnalyzer.percentile(sorted, 0.975).map { $0 * scale }
        }
        return JointAttribution(effects: effects, effectOf: effectOf)
    }

    /// Columns linked (transitively) by a correlation of at least `inseparableCorrelation`, each group in
    /// ascending column order, groups ordered by their first column.
    static func groups(_ equations: NonNegativeRegression.NormalEquations, separable: Int) -> [[Int]] {
        var parent = Array(0..<equations.size)
        func root(_ column: Int) -> Int {
            var column = column
            while parent[column] != column { column = parent[column] }
            return column
        }
        let mergeable = min(separable, equations.size)
        for i in 0..<mergeable {
            for j in (i + 1)..<max(i + 1, mergeable) where equations.correlation(i, j) >= inseparableCorrelation {
                let a = root(i), b = root(j)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for column in 0..<equations.size { byRoot[root(column), default: []].append(column) }
        return byRoot.keys.sorted().map { byRoot[$0]! }
    }
}
