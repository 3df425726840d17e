import Foundation

/// Learns which kernel thread runs each Sidekiq thread (`tid` in work entries: base 36 of `object_id ^ pid`,
/// unrelated to the kernel's) of one process. Processor threads live as long as the process, so evidence adds
/// up over its runs.
///
/// Evidence: while a run is surely in progress, its kernel thread keeps one pattern (a CPU-bound job runs
/// heavy, a sleeping one is never scheduled), while a thread that is not its own behaves like the process's
/// threads at large in that same poll. For each run and kernel thread, the log-likelihood ratio of those two
/// accounts is added to the pair's score. Which pattern a run keeps is learned per job class from the runs
/// whose thread is already sure: otherwise a sleeper and a hog that always start together on two threads fit
/// either thread alike. The mapping is the one-to-one assignment with the largest total; how sure a pair is
/// comes from what the total loses when that pair is forbidden.
struct ThreadMappingLearner: Sendable {
    /// One run's evidence: per kernel thread, the log-likelihood ratio under each of `patterns`.
    private struct RunEvidence: Sendable {
        var sidekiqTid: String
        var jobClass: String
        var ratios: [Int: [Double]]
    }

    /// The runs whose evidence is weighed by their class's learned patterns; older ones are folded into `base`.
    private var runs: [RunEvidence] = []
    private var base: [String: [Int: Double]] = [:]
    private static let keptRuns = 400
    /// Per class, how often its runs kept each pattern (from runs on sure threads).
    private var classPatterns: [String: [Double]] = [:]
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
    func knows(_ sidekiqTid: String) -> Bool { base[sidekiqTid] != nil || runs.contains { $0.sidekiqTid == sidekiqTid } }

    /// Adds one run's evidence (`evidence(of:certain:bracket:)`).
    mutating func add(sidekiqTid: String, jobClass: String, evidence: [Int: [Double]]) {
        guard !evidence.isEmpty else { return }
        runs.append(RunEvidence(sidekiqTid: sidekiqTid, jobClass: jobClass, ratios: evidence))
        if runs.count > Self.keptRuns {
            let oldest = runs.removeFirst()
            var row = base[oldest.sidekiqTid] ?? [:]
            for (tid, value) in score(oldest) { row[tid, default: 0] += value }
            base[oldest.sidekiqTid] = row
        }
        solution = nil
    }

    /// The kernel thread `sidekiqTid` is assigned to and the margin of that choice (nats); nil without evidence
    /// or when it is best left with no known thread. `concurrency` counts Sidekiq threads not seen yet: each
    /// may own any kernel thread.
    mutating func mapping(of sidekiqTid: String, concurrency: Int) -> (tid: Int, margin: Double)? {
        if solution == nil || solvedConcurrency != concurrency {
            // Weigh by the classes' patterns learned so far, learn them anew from the threads now sure, weigh again.
            solve(concurrency: concurrency)
            learnClassPatterns()
            solve(concurrency: concurrency)
        }
        guard let solved = solution, let row = solved.rows.firstIndex(of: sidekiqTid) else { return nil }
        let column = solved.assignment.columns[row]
        guard column < solved.columns.count, let margin = solved.margins[sidekiqTid] else { return nil }
        return (solved.columns[column], margin)
    }

    /// A run's score on each kernel thread: its ratios mixed by its class's patterns (and the chance that the
    /// run's thread looks like any other).
    private func score(_ run: RunEvidence) -> [Int: Double] {
        let weights = patternWeights(of: run.jobClass)
        var scores: [Int: Double] = [:]
        for (tid, ratios) in run.ratios {
            scores[tid] = Self.logSumExp(zip(weights, ratios).map { log($0) + $1 } + [log(Self.freeWeight)])
        }
        return scores
    }

    private func patternWeights(of jobClass: String) -> [Double] {
        guard let counts = classPatterns[jobClass] else { return Self.patterns.map(\.weight) }
        let total = counts.reduce(0, +)
        return counts.map { (1 - Self.freeWeight) * ($0 + 0.3) / (total + 0.3 * Double(counts.count)) }
    }

    /// Each class's patterns from its runs on threads whose mapping is sure: how well each pattern explains them.
    private mutating func learnClassPatterns() {
        guard let solved = solution else { return }
        var sure: [String: Int] = [:]
        for (row, sidekiqTid) in solved.rows.enumerated() {
            let column = solved.assignment.columns[row]
            guard column < solved.columns.count, (solved.margins[sidekiqTid] ?? 0) >= ThreadMappingConfidence.sureMargin else { continue }
            sure[sidekiqTid] = solved.columns[column]
        }
        var counts: [String: [Double]] = [:]
        for run in runs {
            guard let tid = sure[run.sidekiqTid], let ratios = run.ratios[tid] else { continue }
            let weighted = zip(patternWeights(of: run.jobClass), ratios).map { log($0) + $1 }
            let total = Self.logSumExp(weighted)
            var row = counts[run.jobClass] ?? [Double](repeating: 0, count: Self.patterns.count)
            for p in row.indices { row[p] += exp(weighted[p] - total) }
            counts[run.jobClass] = row
        }
        classPatterns = counts
    }

    private mutating func solve(concurrency: Int) {
        var scores = base
        for run in runs {
            var row = scores[run.sidekiqTid] ?? [:]
            for (tid, value) in score(run) { row[tid, default: 0] += value }
            scores[run.sidekiqTid] = row
        }
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
        let assignment = HungarianAssignment(scores: matrix)
        var margins: [String: Double] = [:]
        for (row, sidekiqTid) in seen.enumerated() {
            var forbidden = matrix
            forbidden[row][assignment.columns[row]] = -1e6
            margins[sidekiqTid] = assignment.total - HungarianAssignment(scores: forbidden).total
        }
        solution = Solution(rows: rows, columns: columns, matrix: matrix, assignment: assignment, margins: margins)
        solvedConcurrency = concurrency
    }

    /// How each kernel thread's activity fits a run in progress under each of `patterns`, against fitting the
    /// process's threads at large (log-likelihood ratios). `certain` holds the polls (each covering the span
    /// since the previous poll) while the run surely ran; `bracket` those after, up to when it surely had
    /// ended: there the run may stop at any poll, and each stopping point is weighed alike.
    static func evidence(of series: ThreadCPUSeries, certain: Range<Int>, bracket: Range<Int>) -> [Int: [Double]] {
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
        var evidence: [Int: [Double]] = [:]
        for tid in Set(certainFit.keys).union(bracketFit.keys) {
            let certainRatios = certainFit[tid] ?? [Double](repeating: 0, count: patterns.count)
            let polls = bracketFit[tid] ?? []
            evidence[tid] = patterns.indices.map { p in
                // The run stops after 0, 1, … of the bracket polls; afterwards the thread is like any other.
                var prefix = 0.0
                var stops = [0.0]
                for poll in polls {
                    prefix += poll[p]
                    stops.append(prefix)
                }
                return certainRatios[p] + logSumExp(stops) - log(Double(stops.count))
            }
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
