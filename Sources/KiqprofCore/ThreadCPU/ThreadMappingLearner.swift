import Foundation

/// Learns which kernel thread runs each Sidekiq thread (`tid` in work entries: base 36 of `object_id ^ pid`,
/// unrelated to the kernel's) of one process. Processor threads live as long as the process, so evidence adds
/// up over its runs.
///
/// Evidence: while a run is surely in progress, its kernel thread keeps one pattern (a CPU-bound job runs
/// heavy, a sleeping one is never scheduled), while a thread that is not its own behaves like the process's
/// threads at large in that same poll. For each run and kernel thread, the log-likelihood ratio of those two
/// accounts is added to the pair's score. The mapping is the one-to-one assignment with the largest total;
/// how sure a pair is comes from what the total loses when that pair is forbidden.
struct ThreadMappingLearner: Sendable {
    /// Sidekiq tid → kernel tid → summed log-likelihood ratio, in nats.
    private var scores: [String: [Int: Double]] = [:]
    private var solution: Solution?
    private var solvedConcurrency = -1

    private struct Solution: Sendable {
        var rows: [String]
        var columns: [Int]
        var matrix: [[Double]]
        var assignment: HungarianAssignment
        var margins: [String: Double] = [:]
    }

    /// Whether any run of `sidekiqTid` has given evidence.
    func knows(_ sidekiqTid: String) -> Bool { scores[sidekiqTid] != nil }

    mutating func add(sidekiqTid: String, evidence: [Int: Double]) {
        guard !evidence.isEmpty else { return }
        var row = scores[sidekiqTid] ?? [:]
        for (tid, value) in evidence { row[tid, default: 0] += value }
        scores[sidekiqTid] = row
        solution = nil
    }

    /// The kernel thread `sidekiqTid` is assigned to and the margin of that choice (nats); nil without evidence
    /// or when it is best left with no known thread. `concurrency` counts Sidekiq threads not seen yet: each
    /// may own any kernel thread.
    mutating func mapping(of sidekiqTid: String, concurrency: Int) -> (tid: Int, margin: Double)? {
        guard scores[sidekiqTid] != nil else { return nil }
        let solved = solve(concurrency: concurrency)
        guard let row = solved.rows.firstIndex(of: sidekiqTid) else { return nil }
        let column = solved.assignment.columns[row]
        guard column < solved.columns.count else { return nil }  // a padding column: no known thread
        if let margin = solved.margins[sidekiqTid] { return (solved.columns[column], margin) }
        var forbidden = solved.matrix
        forbidden[row][column] = -1e6
        let margin = solved.assignment.total - HungarianAssignment(scores: forbidden).total
        solution?.margins[sidekiqTid] = margin
        return (solved.columns[column], margin)
    }

    private mutating func solve(concurrency: Int) -> Solution {
        if let solution, solvedConcurrency == concurrency { return solution }
        let seen = scores.keys.sorted()
        let columns = Set(scores.values.flatMap(\.keys)).sorted()
        // Unseen Sidekiq threads score 0 everywhere; padding columns (a thread not read) score 0 for everyone.
        let rowCount = max(seen.count, concurrency)
        let width = max(columns.count, rowCount)
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: width), count: rowCount)
        for (row, sidekiqTid) in seen.enumerated() {
            for (column, tid) in columns.enumerated() { matrix[row][column] = scores[sidekiqTid]?[tid] ?? 0 }
        }
        let rows = seen + (seen.count..<rowCount).map { "\u{0}unseen\($0)" }
        let solved = Solution(rows: rows, columns: columns, matrix: matrix, assignment: HungarianAssignment(scores: matrix))
        solution = solved
        solvedConcurrency = concurrency
        return solved
    }

    /// How each kernel thread's activity fits a run in progress, against fitting the process's threads at
    /// large. `certain` holds the polls (each covering the span since the previous poll) while the run surely
    /// ran; `bracket` those after, up to when it surely had ended: there the run may stop at any poll, and each
    /// stopping point is weighed alike.
    static func evidence(of series: ThreadCPUSeries, certain: Range<Int>, bracket: Range<Int>) -> [Int: Double] {
        let tids = Array(series.tids)
        // Per tid and pattern: the log-likelihood ratio (pattern against at large) over the certain polls, and
        // the same ratio at each bracket poll.
        var certainFit = [Int: [Double]]()
        var bracketFit = [Int: [[Double]]]()
        for index in certain.lowerBound..<max(certain.lowerBound, bracket.upperBound) where index > 0 {
            var activities: [(Int, ThreadActivity)] = []
            var counts = [Double](repeating: 0, count: ThreadActivity.allCases.count)
            for tid in tids {
                guard let activity = series.activity(tid, in: index) else { continue }
                activities.append((tid, activity))
                counts[activity.rawValue] += 1
            }
            let total = Double(activities.count)
            for (tid, activity) in activities {
                let atLarge = log(max(0.03, (counts[activity.rawValue] + 0.25) / (total + 1)))
                let ratios = patterns.map { log($0.probability(of: activity)) - atLarge }
                if certain.contains(index) {
                    let row = certainFit[tid] ?? [Double](repeating: 0, count: patterns.count)
                    certainFit[tid] = zip(row, ratios).map(+)
                } else {
                    bracketFit[tid, default: []].append(ratios)
                }
            }
        }
        var evidence: [Int: Double] = [:]
        for tid in Set(certainFit.keys).union(bracketFit.keys) {
            let certainRatios = certainFit[tid] ?? [Double](repeating: 0, count: patterns.count)
            let polls = bracketFit[tid] ?? []
            var terms = [log(freeWeight)]
            for (p, pattern) in patterns.enumerated() {
                // The run stops after 0, 1, … of the bracket polls; afterwards the thread is like any other.
                var prefix = 0.0
                var stops = [0.0]
                for poll in polls {
                    prefix += poll[p]
                    stops.append(prefix)
                }
                let stopping = logSumExp(stops) - log(Double(stops.count))
                terms.append(log(pattern.weight) + certainRatios[p] + stopping)
            }
            evidence[tid] = logSumExp(terms)
        }
        return evidence
    }

    private static func logSumExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + log(values.reduce(0) { $0 + exp($1 - top) })
    }

    /// A job's thread keeps to one of these while the job runs; the small odds of the others absorb a stray poll.
    struct Pattern: Sendable {
        var weight: Double
        var heavy: Double, light: Double, waiting: Double, dormant: Double

        func probability(of activity: ThreadActivity) -> Double {
            switch activity {
            case .heavy: return heavy
            case .light: return light
            case .waiting: return waiting
            case .dormant: return dormant
            case .idle: return waiting + dormant
            }
        }
    }

    static let patterns = [
        Pattern(weight: 0.3, heavy: 0.85, light: 0.09, waiting: 0.03, dormant: 0.03),  // CPU-bound
        Pattern(weight: 0.3, heavy: 0.15, light: 0.75, waiting: 0.05, dormant: 0.05),  // some CPU, or slowed by the GVL
        Pattern(weight: 0.3, heavy: 0.02, light: 0.03, waiting: 0.10, dormant: 0.85),  // sleeping or blocked
    ]
    /// The share of runs whose thread looks like any other (a job waiting on the network like an idle thread).
    static let freeWeight = 0.1
}
