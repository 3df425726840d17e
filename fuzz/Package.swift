// swift-tools-version:6.0
// libFuzzer harnesses for kiqprof's parsers: one executable per fuzzer, built and run by `make fuzz`
// (scripts/fuzz.py). A package of its own so the main package's `swift build` and `swift test` never see it.
import PackageDescription

let fuzzers = [
    "SidekiqLogFuzzer", "LogBlockReaderFuzzer", "JSONScannerFuzzer", "JobPayloadFuzzer", "EnvironmentFileFuzzer",
    "SarDocumentFuzzer", "CloudWatchDocumentFuzzer", "PrometheusDocumentFuzzer", "RuleBookFuzzer",
]

let package = Package(
    name: "kiqprof-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "kiqprof", path: "..")],
    targets: [.target(name: "CLibFuzzer")] + fuzzers.map { name in
        .executableTarget(name: name, dependencies: ["CLibFuzzer", .product(name: "KiqprofCore", package: "kiqprof")])
    },
    swiftLanguageModes: [.v6]
)
