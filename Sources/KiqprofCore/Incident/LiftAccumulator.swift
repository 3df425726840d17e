/// The plain lift of one resource per class: its mean while the class runs (each sample weighted by how
/// much of its interval the class covered, at most 1) against its mean the rest of the time.
struct LiftAccumulator {
    private var weight: [Double]
    private var weighted: [Double]
    /// Concurrency summed over samples: how much sampled run time each class has.
    private(set) var exposure: [Double]
    private var total = 0.0
    private var rows = 0.0

    init(classCount: Int) {
        weight = [Double](repeating: 0, count: classCount)
        weighted = weight
        exposure = weight
    }

    mutating func add(_ value: Double, row: ConcurrencySweep.Row) {
        total += value
        rows += 1
        for (k, c) in row.classes.enumerated() {
            let w = min(1, row.concurrency[k])
            weight[Int(c)] += w
            weighted[Int(c)] += w * value
            exposure[Int(c)] += row.concurrency[k]
        }
    }

    /// (mean while running, lift over the rest) for a class with at least `minimumWeight` sampled run time.
    func lift(of c: Int, minimumWeight: Double) -> (running: Double, lift: Double)? {
        guard weight[c] >= minimumWeight, rows - weight[c] > 0 else { return nil }
        let running = weighted[c] / weight[c]
        return (running, running - (total - weighted[c]) / (rows - weight[c]))
    }
}
