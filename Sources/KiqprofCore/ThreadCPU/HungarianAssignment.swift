/// The one-to-one assignment of rows to columns with the largest total score (the Hungarian method with
/// potentials, O(rows² × columns)). Rows must not outnumber columns.
struct HungarianAssignment: Sendable {
    /// The column of each row.
    let columns: [Int]
    let total: Double

    /// - Parameter scores: `scores[row][column]`, every row the same length, at least as long as the row count.
    init(scores: [[Double]]) {
        let rows = scores.count
        let width = scores.first?.count ?? 0
        precondition(rows <= width, "HungarianAssignment: \(rows) rows for \(width) columns")
        // Minimizes cost = -score; 1-based arrays with a sentinel column 0, as in the textbook method.
        var u = [Double](repeating: 0, count: rows + 1), v = [Double](repeating: 0, count: width + 1)
        var rowOfColumn = [Int](repeating: 0, count: width + 1), way = [Int](repeating: 0, count: width + 1)
        for row in 1...max(rows, 1) where rows > 0 {
            rowOfColumn[0] = row
            var column0 = 0
            var minimum = [Double](repeating: .infinity, count: width + 1)
            var used = [Bool](repeating: false, count: width + 1)
            repeat {
                used[column0] = true
                let row0 = rowOfColumn[column0]
                var delta = Double.infinity, column1 = 0
                for column in 1...width where !used[column] {
                    let reduced = -scores[row0 - 1][column - 1] - u[row0] - v[column]
                    if reduced < minimum[column] { minimum[column] = reduced; way[column] = column0 }
                    if minimum[column] < delta { delta = minimum[column]; column1 = column }
                }
                for column in 0...width {
                    if used[column] {
                        u[rowOfColumn[column]] += delta
                        v[column] -= delta
                    } else {
                        minimum[column] -= delta
                    }
                }
                column0 = column1
            } while rowOfColumn[column0] != 0
            repeat {
                let column1 = way[column0]
                rowOfColumn[column0] = rowOfColumn[column1]
                column0 = column1
            } while column0 != 0
        }
        var columns = [Int](repeating: -1, count: rows)
        for column in 1...max(width, 1) where width > 0 && rowOfColumn[column] > 0 { columns[rowOfColumn[column] - 1] = column - 1 }
        self.columns = columns
        total = columns.enumerated().reduce(0) { $0 + scores[$1.offset][$1.element] }
    }
}
