import Testing
@testable import KiqprofCore

@Suite struct CensusAccumulatorTests {
    @Test func countsPerClassAndLocationWithErrorsAndOldest() {
        var census = CensusAccumulator()
        func add(_ json: String, _ location: CensusAccumulator.Location, _ index: Int) {
            let bytes = Array(json.utf8)
            bytes.withUnsafeBytes { census.add($0, location: location, key: location.name, index: index) }
        }
        add(#"{"class":"A","enqueued_at":1000.5}"#, .queue("default"), 0)
        add(#"{"class":"A","created_at":900000}"#, .queue("default"), 1)
        add(#"{"class":"A","enqueued_at":1795714220779,"error_class":"IOError"}"#, .retry, 0)
        add(#"{"class":"W","wrapped":"B"}"#, .dead, 0)
        add(#"{"class":"A\u0042"}"#, .schedule, 0)
        add(#"{"class":"Trunc"#, .queue("default"), 2)
        let result = census.result(now: 2000, warnings: [])
        let a = result.classes.first { $0.jobClass == "A" }!
        #expect(a.total == 3)
        #expect(a.byLocation == ["queue:default": 2, "retry": 1])
        #expect(a.errorClasses == ["IOError": 1])
        #expect(a.oldestEnqueuedAt == 1000.5)
        #expect(result.classes.map(\.jobClass).contains("B"))
        #expect(result.classes.map(\.jobClass).contains("AB"), "escaped names are decoded and kept apart from their raw form")
        #expect(result.unparseableCount == 1)
        #expect(result.unparseable.first?.key == "queue:default")
        #expect(result.unparseable.first?.index == 2)
    }

    @Test func manyClassesGrowTheTable() {
        var census = CensusAccumulator()
        for round in 0..<3 {
            for number in 0..<1000 {
                let bytes = Array("{\"class\":\"Job\(number)\"}".utf8)
                bytes.withUnsafeBytes { census.add($0, location: .queue("q"), key: "queue:q", index: round * 1000 + number) }
            }
        }
        let result = census.result(now: 0, warnings: [])
        #expect(result.classes.count == 1000)
        #expect(result.classes.allSatisfy { $0.total == 3 })
    }

    @Test func jsonOutputUsesNullForUnknowns() {
        var census = CensusAccumulator()
        let bytes = Array(#"{"class":"NoTime"}"#.utf8)
        bytes.withUnsafeBytes { census.add($0, location: .schedule, key: "schedule", index: 0) }
        let json = CensusRenderer.json(census.result(now: 0, warnings: [])).serialized(pretty: false)
        #expect(json.contains(#""oldest_enqueued_at":null"#))
        #expect(json.contains(#""by_location":{"schedule":1}"#))
    }
}
