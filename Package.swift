// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "streamconv",
    products: [
        .library(name: "StreamConv", targets: ["StreamConv"]),
        .library(name: "StreamConvPresets", targets: ["StreamConvPresets"]),
        .library(name: "StreamConvIO", targets: ["StreamConvIO"]),
        .executable(name: "streamconv", targets: ["streamconv"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libsndfile, found through pkg-config; nothing but the module map and a shim header.
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        // The pure-Swift core: no C library, no I/O.
        .target(name: "StreamConv"),
        .target(name: "StreamConvPresets", dependencies: ["StreamConv"]),
        .target(name: "StreamConvIO", dependencies: ["StreamConv", "CSndFile"]),
        .executableTarget(
            name: "streamconv",
            dependencies: [
                "StreamConv", "StreamConvIO", "StreamConvPresets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test-only: counts a thread's heap allocations (the core itself imports no C).
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        // scripts/bench: kernel throughput and streaming overhead, as ratios to the whole-signal call.
        .executableTarget(name: "streamconv-bench", dependencies: ["StreamConv"]),
        .testTarget(name: "StreamConvTests", dependencies: ["StreamConv", "CAllocationCounter"], exclude: ["Fixtures"]),
        .testTarget(name: "StreamConvPresetsTests", dependencies: ["StreamConvPresets"]),
        .testTarget(name: "StreamConvIOTests", dependencies: ["StreamConvIO", "StreamConvPresets"]),
        .testTarget(name: "streamconvTests", dependencies: ["streamconv", "StreamConvIO", "StreamConvPresets"]),
    ],
    swiftLanguageModes: [.v6]
)
