import Exposition
import HTTPServer

/// What the HTTP server turned away, by why: under attack, the figures to look at first.
public struct HTTPCollector: Collector {
    static let turnedAway = MetricDescriptor("conntrack_exporter_http_turned_away_total", .counter,
        help: "Connections closed or requests answered without their handler, by reason: connection_limit (a new connection made room by closing one of the busiest client's), handler_timeout, client_gone (the client left while its request waited; its work was dropped), busy (a bound answered 503 or 429).")

    private let statistics: HTTPServerStatistics

    public init(statistics: HTTPServerStatistics) {
        self.statistics = statistics
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) {
        writer.header(Self.turnedAway)
        for reason in HTTPServerStatistics.Reason.allCases {
            writer.sample(Self.turnedAway.name, labels: ["reason": reason.rawValue], value: statistics[reason])
        }
    }
}
