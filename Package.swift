// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// deskd's release link (issue 17; docs/benchmarks.md, "The code a start runs, linked together"): lld
// in place of gold, for the relative relocations packed (DT_RELR, which glibc loads from 2.36 on) and
// the code a run enters laid out first, together: the functions named in Sources/deskd/deskd.order,
// after the unnamed ones that Sources/deskd/deskd.ld places (both written by scripts/order-file.py; a
// function either lacks only lands after the listed ones, hence no warning). Single functions move
// only where the code was compiled one section per function, as scripts/build-release.sh builds it.
// That script also links the Swift runtime in (--static-swift-stdlib), whose link arguments export
// every symbol of the program's own objects (-export-dynamic): 60,000 names the dynamic linker
// searches at every start. Nothing looks them up, so --no-export-dynamic (the last of the two wins).
let deskdReleaseLink: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/deskd/deskd.order",
            "-Xlinker", "--no-warn-symbol-ordering", "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "--script=\(Context.packageDirectory)/Sources/deskd/deskd.ld",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "ServiceDesk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "deskd", targets: ["deskd"]),
        .executable(name: "deskcli", targets: ["deskcli"]),
        .library(name: "ServiceDesk", targets: ["ServiceDesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // The printed forms' templates (Hummingbird's own Mustache, HTML escaping on).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The outbox's webhooks (deskd), and in tests a streaming client for the SSE feed.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // A centre on a PostgreSQL server (deskcli db migrate/check/copy on postgres://…; docs/postgresql.md).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Its TLS (sslmode=require|verify-full), already in the graph through postgres-nio.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Debian's libqrencode (libqrencode-dev) for the QR code of the printed forms.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // A thin layer over SQLite's default VFS: a reader keeps its mapping of the file across
        // other connections' commits (keepmap.c, docs/benchmarks.md).
        .target(name: "CSQLiteKeepMap", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "ServiceDesk",
            dependencies: [
                "CQRencode",
                "CSQLiteKeepMap",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface, for the one scan that reads a row's columns in place (ProgressScan.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.embedInCode("Storage/schema"), .embedInCode("Examples"), .embedInCode("Forms/Templates")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "deskd",
            dependencies: [
                "ServiceDesk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                // The outbox's webhooks to the centre's gateways.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["deskd.order", "deskd.ld"],
            resources: [.embedInCode("Resources/openapi.yaml"), .embedInCode("Resources/screens")],
            swiftSettings: swiftSettings,
            linkerSettings: deskdReleaseLink
        ),
        .executableTarget(
            name: "deskcli",
            dependencies: [
                "ServiceDesk",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceDeskTests",
            dependencies: ["ServiceDesk"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeskdTests",
            dependencies: [
                "deskd",
                // Not imported: listed so that `swift test` builds the real deskcli binary the end-to-end tests run.
                "deskcli",
                "ServiceDesk",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The PostgreSQL tests read back what a copy wrote, value by value.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
