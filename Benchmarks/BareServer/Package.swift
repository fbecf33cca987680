// swift-tools-version:6.1
// A bare Hummingbird + GRDB server: the reference ceiling that SPEC §9 measures deskd against
// ("80 % of the bare ceiling measured in the same run"). Its own package, so it never slows the
// main build or CI. Build: swift build -c release --package-path Benchmarks/BareServer
import PackageDescription

let package = Package(
    name: "BareServer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "BareServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
