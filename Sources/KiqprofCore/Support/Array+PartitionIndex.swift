extension RandomAccessCollection {
    /// The first index whose element satisfies `belongsInSecondPartition`, for a collection where every such
    /// element follows every other (a sorted array and a threshold); `endIndex` when none does. O(log n).
    func partitionIndex(where belongsInSecondPartition: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try belongsInSecondPartition(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
