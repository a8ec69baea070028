// swift-tools-version:6.0
// A package that depends on the StreamConv core alone: it must build and link with nothing
// but the Swift standard library (no Foundation, no libm symbols the core forgot to import).
import PackageDescription

let package = Package(
    name: "CoreOnly",
    dependencies: [.package(name: "streamconv", path: "../..")],
    targets: [
        .executableTarget(name: "CoreOnly", dependencies: [.product(name: "StreamConv", package: "streamconv")]),
    ],
    swiftLanguageModes: [.v6]
)
