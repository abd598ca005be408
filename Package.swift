// swift-tools-version: 6.1
import PackageDescription

// Data flows one way: files → ServiceMapImport → ServiceMapCore graph → ServiceMapStore → ServiceMapSite.
// The CLI wires the steps together and is the only module that prints.
let package = Package(
    name: "servicemap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "servicemap", targets: ["servicemap"]),
        .library(name: "ServiceMapCore", targets: ["ServiceMapCore"]),
        .library(name: "ServiceMapImport", targets: ["ServiceMapImport"]),
        .library(name: "ServiceMapStore", targets: ["ServiceMapStore"]),
        .library(name: "ServiceMapSite", targets: ["ServiceMapSite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "servicemap",
            dependencies: ["ServiceMapCLI"]
        ),
        .target(
            name: "ServiceMapCLI",
            dependencies: [
                "ServiceMapCore", "ServiceMapImport", "ServiceMapStore", "ServiceMapSite", "CHeapRelease",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Two C functions: glibc's malloc_trim and mallopt, for an import's memory.
        .target(name: "CHeapRelease"),
        .target(name: "ServiceMapCore"),
        .target(
            name: "ServiceMapImport",
            dependencies: [
                "ServiceMapCore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // One C function: SQLite's process-wide options, set before its first connection opens.
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "ServiceMapStore",
            dependencies: [
                "ServiceMapCore", "CSQLiteTuning", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface, for the bulk write and load paths (see RawStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "ServiceMapSite",
            dependencies: [
                "ServiceMapCore", "ServiceMapStore",
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .executableTarget(
            name: "servicemap-bench",
            dependencies: ["ServiceMapCore", "ServiceMapImport", "ServiceMapStore", "ServiceMapSite", "ServiceMapCLI"],
            path: "Benchmarks/servicemap-bench"
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ServiceMapCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "ServiceMapCoreTests", dependencies: ["ServiceMapCore", "TestSupport"]),
        .testTarget(name: "ServiceMapImportTests", dependencies: ["ServiceMapImport", "TestSupport"]),
        .testTarget(name: "ServiceMapStoreTests", dependencies: [
            "ServiceMapStore", "ServiceMapImport", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "ServiceMapSiteTests", dependencies: ["ServiceMapSite", "ServiceMapStore", "ServiceMapImport", "TestSupport"]),
        .testTarget(name: "ServiceMapCLITests", dependencies: ["ServiceMapCLI", "TestSupport", "CHeapRelease"]),
    ],
    swiftLanguageModes: [.v6]
)
