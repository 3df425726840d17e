/// Where each class's work goes in the attribution's regression. Column k < `classes.count` is class
/// `classes[k]`'s first running instance (its work rate up to one run); a class that ever overlaps itself
/// gets a second column, after those, for the work beyond its first run. What one run adds is then the
/// first column's coefficient: piled-up runs of a class share its process's GVL and a saturated host, so
/// a second run adds less than the first, and one slope for both would understate the first.
struct RegressorLayout {
    let classes: [Int]
    let size: Int
    private var primary: [Int]
    private var extra: [Int]

    init(classes: [Int], classCount: Int, overlaps: (Int) -> Bool) {
        self.classes = classes
        primary = [Int](repeating: -1, count: classCount)
        extra = [Int](repeating: -1, count: classCount)
        var next = classes.count
        for (position, c) in classes.enumerated() {
            primary[c] = position
            if overlaps(c) {
                extra[c] = next
                next += 1
            }
        }
        size = next
    }

    /// The row's sparse regressors, ascending by column within each kind.
    func fill(_ row: ConcurrencySweep.Row, columns: inout [Int], values: inout [Double]) {
        columns.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for (k, c) in row.classes.enumerated() where primary[Int(c)] >= 0 {
            let work = row.concurrency[k]
            columns.append(primary[Int(c)])
            values.append(min(1, work))
            if extra[Int(c)] >= 0 && work > 1 {
                columns.append(extra[Int(c)])
                values.append(work - 1)
            }
        }
    }
}
