import Testing
@testable import KiqprofCore

/// The one-to-one assignment with the largest total: small matrices whose optimum is worked out by hand, and
/// seeded random ones checked against every injective assignment.
@Suite("thread CPU: the Hungarian assignment")
struct HungarianAssignmentTests {
    @Test func aThreeByThreeMatrixTakesItsBestPermutation() {
        // The six permutations total 9+4+1 = 14, 9+3+8 = 20, 2+6+1 = 9, 2+3+5 = 10, 7+6+8 = 21, 7+4+5 = 16.
        let assignment = HungarianAssignment(scores: [[9, 2, 7], [6, 4, 3], [5, 8, 1]])
        #expect(assignment.columns == [2, 0, 1])
        #expect(assignment.total == 21)
    }

    @Test func moreColumnsThanRowsLeavesSomeColumnsFree() {
        // Row 0 → 2 (3) and row 1 → 1 (7) make 10; the greedy row 0 → 1 (5) with row 1 → 0 (4) only 9.
        let assignment = HungarianAssignment(scores: [[1, 5, 3, 2], [4, 7, 1, 0]])
        #expect(assignment.columns == [2, 1])
        #expect(assignment.total == 10)
    }

    @Test func tiesStillGiveAOneToOneAssignment() {
        let assignment = HungarianAssignment(scores: [[1, 1, 1], [1, 1, 1], [1, 1, 1]])
        #expect(assignment.columns.sorted() == [0, 1, 2])
        #expect(assignment.total == 3)
    }

    @Test func negativeScoresAreMaximizedToo() {
        // [0, 1] totals -1 - 2 = -3; [1, 0] totals -5 - 3 = -8.
        let assignment = HungarianAssignment(scores: [[-1, -5], [-3, -2]])
        #expect(assignment.columns == [0, 1])
        #expect(assignment.total == -3)
        // A forbidden pair (as the mapping learner forbids one) is avoided even at a cost elsewhere.
        let forbidden = HungarianAssignment(scores: [[-1e6, -1], [-2, -3]])
        #expect(forbidden.columns == [1, 0])
        #expect(forbidden.total == -3)
    }

    @Test func emptyAndSingleMatrices() {
        let empty = HungarianAssignment(scores: [])
        #expect(empty.columns.isEmpty && empty.total == 0)
        let single = HungarianAssignment(scores: [[-4.5]])
        #expect(single.columns == [0] && single.total == -4.5)
        let row = HungarianAssignment(scores: [[0.5, 2.5, -1]])
        #expect(row.columns == [1] && row.total == 2.5)
    }

    @Test(arguments: [(5, 5, UInt64(1)), (5, 5, 2), (5, 5, 3), (4, 6, 4), (4, 6, 5), (4, 6, 6), (3, 7, 7)])
    func randomMatricesReachTheBruteForceBest(rows: Int, width: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let scores = (0..<rows).map { _ in
            (0..<width).map { _ in Double(random.next() >> 11) / Double(1 << 53) * 20 - 10 }
        }
        let assignment = HungarianAssignment(scores: scores)
        #expect(assignment.columns.count == rows)
        #expect(Set(assignment.columns).count == rows && assignment.columns.allSatisfy { (0..<width).contains($0) })
        let sum = assignment.columns.enumerated().reduce(0.0) { $0 + scores[$1.offset][$1.element] }
        #expect(abs(sum - assignment.total) < 1e-9)
        let best = Self.bruteForceBest(scores, row: 0, used: [])
        #expect(abs(assignment.total - best) < 1e-9, "seed \(seed): \(assignment.total) against \(best)")
    }

    /// The best total over every injective assignment of rows `row...` to columns not in `used`.
    static func bruteForceBest(_ scores: [[Double]], row: Int, used: Set<Int>) -> Double {
        guard row < scores.count else { return 0 }
        var best = -Double.infinity
        for column in scores[row].indices where !used.contains(column) {
            best = max(best, scores[row][column] + bruteForceBest(scores, row: row + 1, used: used.union([column])))
        }
        return best
    }
}
