/// Where a host sample came from: kiqprof's own /proc sampler or an import. The store keeps the raw value,
/// and samples of the same host and instant from different sources are not doubled.
public enum HostSampleSource: String, Codable, Sendable, CaseIterable {
    case proc, sar, cloudwatch, prometheus, csv
}
