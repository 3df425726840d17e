// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kiqprof",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiqprof", targets: ["kiqprof"]),
        .library(name: "KiqprofCore", targets: ["KiqprofCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Debian 12 ships hiredis 0.14.1; no pkgConfig because Debian's hiredis.pc adds a prohibited flag.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(
            name: "KiqprofCore",
            dependencies: [
                "CHiredis",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB ships, for binding bulk-import rows without boxing each value.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "kiqprof",
            dependencies: [
                "KiqprofCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KiqprofCoreTests", dependencies: ["KiqprofCore"]),
        .testTarget(
            name: "KiqprofIntegrationTests",
            // Depends on the executable so `swift test` builds the binary the tests run.
            dependencies: ["KiqprofCore", "kiqprof"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
