// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "streamconv",
    products: [
        .library(name: "StreamConv", targets: ["StreamConv"]),
        .library(name: "StreamConvPresets", targets: ["StreamConvPresets"]),
        .library(name: "StreamConvIO", targets: ["StreamConvIO"]),
        .library(name: "StreamConvLive", targets: ["StreamConvLive"]),
        .library(name: "StreamConvALSA", targets: ["StreamConvALSA"]),
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
        // ALSA (live capture and playback), found through pkg-config.
        .systemLibrary(
            name: "CALSA",
            pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]
        ),
        // libsoxr (resampling an impulse response or taps file made at another rate), found
        // through pkg-config.
        .systemLibrary(
            name: "CSoxr",
            pkgConfig: "soxr",
            providers: [.apt(["libsoxr-dev"])]
        ),
        // The pure-Swift core: no C library, no I/O.
        .target(name: "StreamConv"),
        .target(name: "StreamConvPresets", dependencies: ["StreamConv"]),
        .target(name: "StreamConvIO", dependencies: ["StreamConv", "CSndFile", "CSoxr", "CIOShim"]),
        // tee(2) for the I/O module: a pipe's first bytes looked at without consuming them.
        .target(name: "CIOShim"),
        // Live audio without a driver: the period processor (decode → stage → encode → meter),
        // the audio thread and its priority, the partition workers, counters and rings.
        .target(name: "StreamConvLive", dependencies: ["StreamConv", "StreamConvIO", "CLiveShim"]),
        // A semaphore wait on the monotonic clock, for the live module's worker threads.
        .target(name: "CLiveShim"),
        // The ALSA device loop in its own module, so a user who only filters files does not link libasound.
        .target(name: "StreamConvALSA", dependencies: ["StreamConv", "StreamConvIO", "StreamConvLive", "CALSA"]),
        .executableTarget(
            name: "streamconv",
            dependencies: [
                "StreamConv", "StreamConvIO", "StreamConvPresets", "StreamConvLive", "StreamConvALSA",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test-only: counts a thread's heap allocations (the core itself imports no C).
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        // Test support shared by the suites and the bench: the allocation counter's wrapper,
        // a stream with faults put in on purpose, the plain reference loop.
        .target(name: "StreamConvTestSupport", dependencies: ["StreamConv", "CAllocationCounter"], path: "Tests/StreamConvTestSupport"),
        // Scripted capture and recording playback devices (fault injection) for the live suites.
        .target(name: "StreamConvALSATestSupport", dependencies: ["StreamConvALSA", "StreamConvIO"], path: "Tests/StreamConvALSATestSupport"),
        // scripts/bench: kernel throughput, streaming overhead and preset parsing.
        .executableTarget(name: "streamconv-bench", dependencies: ["StreamConv", "StreamConvPresets", "StreamConvTestSupport"]),
        .testTarget(name: "StreamConvTests", dependencies: ["StreamConv", "StreamConvTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "StreamConvPresetsTests", dependencies: ["StreamConvPresets"], exclude: ["Fixtures"]),
        .testTarget(name: "StreamConvIOTests", dependencies: ["StreamConvIO", "StreamConvPresets"]),
        .testTarget(name: "StreamConvLiveTests", dependencies: ["StreamConvLive", "StreamConvIO", "StreamConvTestSupport"]),
        .testTarget(name: "StreamConvALSATests", dependencies: ["StreamConvALSA", "StreamConvLive", "StreamConvIO", "StreamConvTestSupport", "StreamConvALSATestSupport"]),
        .testTarget(name: "streamconvTests", dependencies: ["streamconv", "StreamConvIO", "StreamConvPresets", "StreamConvTestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
