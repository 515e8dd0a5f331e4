// swift-tools-version:6.0
import PackageDescription

// The revision baked into `conntrack_exporter_build_info`, when built from a git checkout.
let revision = Context.gitInformation.map {
    String($0.currentCommit.prefix(12)) + ($0.hasUncommittedChanges ? "-dirty" : "")
} ?? "unknown"

let package = Package(
    name: "conntrack_exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conntrack_exporter", targets: ["conntrack_exporter"]),
        .executable(name: "conntrack-fill", targets: ["conntrack-fill"]),
        .executable(name: "conntrack-dump-floor", targets: ["conntrack-dump-floor"]),
        .executable(name: "conntrack-churn", targets: ["conntrack-churn"]),
        .executable(name: "conntrack-event-floor", targets: ["conntrack-event-floor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CNetfilterConntrack",
            pkgConfig: "libnetfilter_conntrack",
            providers: [.apt(["libnetfilter-conntrack-dev"])]
        ),
        .systemLibrary(
            name: "CMnl",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        .target(
            name: "CConntrack",
            dependencies: ["CNetfilterConntrack", "CMnl"],
            cSettings: [.define("CCT_REVISION", to: "\"\(revision)\"")]
        ),
        .target(name: "CLinux"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CGzip", dependencies: ["CZlib"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CTLS", dependencies: ["COpenSSL"]),
        .systemLibrary(name: "CLibcrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(name: "CCrypt", dependencies: ["CLibcrypt"]),
        // The web config file is YAML (exporter-toolkit's format), read with the system's libyaml.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // Creates entries, for the test fill tool only; the exporter does not link it.
        .target(
            name: "CConntrackWriter",
            dependencies: ["CConntrack", "CNetfilterConntrack"]
        ),
        .target(
            name: "ConntrackExporter",
            dependencies: [
                "CConntrack",
                "CGzip",
                "CLinux",
                "CTLS",
                "CCrypt",
                "CYAML",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "conntrack_exporter",
            dependencies: [
                "ConntrackExporter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "conntrack-fill",
            dependencies: [
                "ConntrackExporter",
                "CConntrackWriter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark tools: the dump and event floors and a loopback connection churn generator.
        .executableTarget(name: "conntrack-dump-floor", dependencies: ["CConntrack", "CNetfilterConntrack", "CMnl"]),
        .executableTarget(name: "conntrack-event-floor", dependencies: ["CConntrack"]),
        .executableTarget(name: "conntrack-churn"),
        .testTarget(
            name: "ConntrackExporterTests",
            dependencies: ["ConntrackExporter", "CConntrack"]
        ),
        .testTarget(name: "DeploymentTests"),
        .target(name: "CTestNamespace", path: "Tests/CTestNamespace"),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ConntrackExporter", "CTestNamespace", "conntrack_exporter", "conntrack-fill"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
