import Foundation
import Synchronization

/// What `/metrics` answers: the recorder's live metrics and the suspects' scores over the last hour, analysed
/// through `AnalysisSession` (the way `incident` does) at most every `suspectRefresh` seconds, on the scrape.
public final class MetricsEndpoint: Sendable {
    public let metrics: RecorderMetrics
    private let store: Store
    public let suspectWindow: Double
    public let suspectRefresh: Double
    private let suspects: Mutex<(computedAt: Double, list: [MetricsRenderer.Suspect])>

    public init(metrics: RecorderMetrics, store: Store, suspectWindow: Double = 3600, suspectRefresh: Double = 300) {
        self.metrics = metrics
        self.store = store
        self.suspectWindow = suspectWindow
        self.suspectRefresh = suspectRefresh
        suspects = Mutex((-Double.infinity, []))
    }

    public func render(now: Double = Date().timeIntervalSince1970) -> String {
        MetricsRenderer.render(metrics.snapshot(), suspects: currentSuspects(now: now), now: now)
    }

    /// The cached suspects, recomputed when older than `suspectRefresh`; an empty or unreadable store scores no one.
    func currentSuspects(now: Double) -> [MetricsRenderer.Suspect] {
        let cached = suspects.withLock { $0 }
        if now - cached.computedAt < suspectRefresh { return cached.list }
        var list: [MetricsRenderer.Suspect] = []
        let session = AnalysisSession(store: store, from: now - suspectWindow, to: now)
        if let loaded = try? session.load() {
            list = loaded.analysis.suspects.prefix(20).map { MetricsRenderer.Suspect(jobClass: $0.jobClass, score: $0.score) }
        }
        suspects.withLock { $0 = (now, list) }
        return list
    }
}
