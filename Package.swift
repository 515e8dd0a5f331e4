// swift-tools-version:6.0
import PackageDescription

// The revision baked into `conntrack_exporter_build_info`, when built from a git checkout.
let revision = Context.gitInformation.map {
    String($0.currentCommit.prefix(12)) + ($0.hasUncommittedChanges ? "-dirty" : "")
} ?? "unknown"

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

// The targets, bottom to top: each depends only on targets listed above it.
//
//   TextFormatting, LinuxSystem        text and system-call primitives, nothing of conntrack
//   ConntrackModel                     value types: addresses, hosts, TCP states, counts, histograms
//   ConntrackKernel                    the only Swift that calls the C shim: dumps, events, statistics
//   ConntrackAggregation               what a host is, classifying and counting entries and events
//   HostNames                          names for hosts: a names file, reverse DNS (c-ares), verified
//   Exposition                         the Prometheus text format and a collector registry (generic)
//   Collectors                         one collector per data source
//   HTTPServer                         a generic HTTP/1.1 server: transports, deadlines, routes
//   WebSecurity                        the web config file: TLS, basic auth, plugged into the server
//   Views                              the curl views /connections and /hosts, as text and JSON
//   Exporter                           the wiring: options in, a running exporter out
//   conntrack_exporter                 the command line: flags, validation, signals
let package = Package(
    name: "conntrack_exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conntrack_exporter", targets: ["conntrack_exporter"]),
        .executable(name: "conntrack-fill", targets: ["conntrack-fill"]),
        .executable(name: "conntrack-dump-floor", targets: ["conntrack-dump-floor"]),
        .executable(name: "conntrack-churn", targets: ["conntrack-churn"]),
        .executable(name: "conntrack-event-floor", targets: ["conntrack-event-floor"]),
        .executable(name: "conntrack-flood", targets: ["conntrack-flood"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // System libraries, through pkg-config.
        .systemLibrary(name: "CNetfilterConntrack", pkgConfig: "libnetfilter_conntrack",
                       providers: [.apt(["libnetfilter-conntrack-dev"])]),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        // gzip for scrapes: libdeflate, faster than zlib and smaller at level 1 (BENCHMARKS.md).
        .systemLibrary(name: "CLibdeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibcrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        // Reverse DNS through c-ares: asynchronous, honours resolv.conf, parses DNS answers itself.
        .systemLibrary(name: "CCares", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),
        // The web config file is YAML (exporter-toolkit's format), read with the system's libyaml.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // Thin C layers, each with prefixed names and a header that states its rules.
        .target(name: "CConntrack", dependencies: ["CNetfilterConntrack", "CMnl"]),
        .target(name: "CLinux"),
        .target(name: "CGzip", dependencies: ["CLibdeflate"]),
        .target(name: "CTLS", dependencies: ["COpenSSL"]),
        .target(name: "CCrypt", dependencies: ["CLibcrypt"]),
        .target(name: "CResolver", dependencies: ["CCares"]),
        .target(name: "CBuildInfo", cSettings: [.define("CBI_REVISION", to: "\"\(revision)\"")]),
        // Creates entries, for the test fill tool only; the exporter does not link it.
        .target(name: "CConntrackWriter", dependencies: ["CConntrack", "CNetfilterConntrack"]),

        .target(name: "TextFormatting"),
        .target(name: "LinuxSystem", dependencies: ["CLinux"]),
        .target(name: "ConntrackModel", dependencies: ["TextFormatting"]),
        .target(name: "ConntrackKernel", dependencies: ["CConntrack", "ConntrackModel", "LinuxSystem"]),
        .target(name: "ConntrackAggregation",
                dependencies: ["CLinux", "ConntrackKernel", "ConntrackModel", "LinuxSystem", "TextFormatting", logging]),
        .target(name: "HostNames",
                dependencies: ["CResolver", "ConntrackAggregation", "ConntrackModel", "LinuxSystem", "TextFormatting", logging]),
        .target(name: "Exposition", dependencies: ["CGzip", "TextFormatting", logging]),
        .target(name: "Collectors",
                dependencies: ["CBuildInfo", "ConntrackAggregation", "ConntrackKernel", "ConntrackModel", "Exposition", "HTTPServer",
                               "HostNames", "LinuxSystem"]),
        .target(name: "HTTPServer", dependencies: ["CLinux", "LinuxSystem", "TextFormatting", logging]),
        .target(name: "WebSecurity",
                dependencies: ["CCrypt", "COpenSSL", "CTLS", "CYAML", "HTTPServer", "LinuxSystem", "TextFormatting", logging]),
        .target(name: "Views", dependencies: ["ConntrackAggregation", "ConntrackKernel", "ConntrackModel", "TextFormatting"]),
        .target(name: "Exporter",
                dependencies: ["Collectors", "ConntrackAggregation", "ConntrackKernel", "ConntrackModel", "Exposition",
                               "HTTPServer", "HostNames", "LinuxSystem", "TextFormatting", "Views", "WebSecurity", logging]),
        .executableTarget(name: "conntrack_exporter",
                          dependencies: ["Collectors", "ConntrackAggregation", "ConntrackModel", "Exporter", "HTTPServer", "HostNames", "LinuxSystem",
                                         "TextFormatting", argumentParser, logging]),

        // Tools for the tests and the benchmark.
        .executableTarget(name: "conntrack-fill",
                          dependencies: ["CConntrackWriter", "ConntrackKernel", "ConntrackModel", "LinuxSystem", argumentParser]),
        // The benchmark's floors (a bare dump, a bare event listener) and a loopback connection churn generator.
        .executableTarget(name: "conntrack-dump-floor", dependencies: ["CConntrack", "CNetfilterConntrack", "CMnl"]),
        .executableTarget(name: "conntrack-event-floor", dependencies: ["CConntrack"]),
        .executableTarget(name: "conntrack-churn"),
        // Hostile traffic for the tests and the soak: a port scan, or connections from many sources.
        .executableTarget(name: "conntrack-flood"),

        // Tests follow the targets; fixtures and the integration helpers live apart from the suites.
        .target(name: "TestFixtures", dependencies: ["ConntrackAggregation", "ConntrackKernel", "ConntrackModel", "HTTPServer",
                                                     "LinuxSystem"], path: "Tests/TestFixtures"),
        .testTarget(name: "TextFormattingTests", dependencies: ["TextFormatting"]),
        .testTarget(name: "ConntrackModelTests", dependencies: ["ConntrackModel"]),
        .testTarget(name: "ConntrackKernelTests", dependencies: ["ConntrackKernel", "TestFixtures"]),
        .testTarget(name: "ConntrackAggregationTests", dependencies: ["ConntrackAggregation", "TestFixtures"]),
        .testTarget(name: "HostNamesTests", dependencies: ["HostNames", "TestFixtures"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestFixtures"]),
        .testTarget(name: "CollectorsTests", dependencies: ["Collectors", "TestFixtures"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestFixtures"]),
        .testTarget(name: "WebSecurityTests", dependencies: ["WebSecurity", "TestFixtures"]),
        .testTarget(name: "ExporterTests", dependencies: ["Exporter", "TestFixtures"]),
        .testTarget(name: "DeploymentTests"),
        .target(name: "CTestNamespace", path: "Tests/CTestNamespace"),
        .target(name: "IntegrationSupport", dependencies: ["CTestNamespace"], path: "Tests/IntegrationSupport",
                exclude: ["hostile-clients.py"]),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["Collectors", "ConntrackAggregation", "ConntrackKernel", "IntegrationSupport", "conntrack_exporter",
                                   "conntrack-churn", "conntrack-fill", "conntrack-flood", logging]),
    ],
    swiftLanguageModes: [.v6]
)
