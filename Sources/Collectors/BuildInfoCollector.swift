import Exposition

/// `conntrack_exporter_build_info{version,revision} 1`.
public struct BuildInfoCollector: Collector {
    static let family = MetricDescriptor("conntrack_exporter_build_info", .gauge,
        help: "A metric with a constant value 1, labelled by the exporter's version and git revision.")

    public init() {}

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) {
        writer.header(Self.family)
        writer.sample(Self.family.name,
                      labels: ["version": BuildInfo.version, "revision": BuildInfo.revision], value: 1)
    }
}
