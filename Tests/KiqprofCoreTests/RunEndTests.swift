import KiqprofCore
import Testing

@Suite("the model's run end: one derivation of the estimate, the bracket and openness")
struct RunEndTests {
    @Test func anExactEndIsItsOwnEstimateWithNoBracket() {
        let end = RunEnd.exact(120)
        #expect(end.estimate == 120 && end.bracket == nil && !end.isOpen && end.uncertainty == nil)
    }

    @Test func aPolledEndIsTheBracketsMiddle() {
        let end = RunEnd.between(110, 120)
        #expect(end.estimate == 115 && end.bracket == 110...120 && end.uncertainty == 5 && !end.isOpen)
    }

    @Test func aRunSeenOnlyUntilSomeInstantIsOpen() {
        let end = RunEnd.openSince(110)
        #expect(end.estimate == nil && end.isOpen && end.bracket == nil)
        #expect(RunEnd.unknown.isOpen && RunEnd.unknown.estimate == nil)
    }

    @Test func theAnalysisViewTakesItsEndFromTheModel() {
        let polled = IncidentDataset.Run(classIndex: 0, start: 100, end: .between(110, 120), outcome: .ok, source: .poll, openUntil: 500)
        #expect(polled.end == 115 && polled.endBracket == 110...120 && !polled.isOpen && !polled.failed)
        let open = IncidentDataset.Run(classIndex: 0, start: 100, end: .openSince(130), outcome: .running, source: .poll, openUntil: 500)
        #expect(open.end == 500 && open.isOpen)
        // A log's lost run ends at its bracket's middle: only polled ends spread their cost.
        let lost = IncidentDataset.Run(classIndex: 0, start: 100, end: .between(110, 170), outcome: .lost, source: .log, openUntil: 500)
        #expect(lost.end == 140 && lost.endBracket == nil && lost.lost)
    }
}
