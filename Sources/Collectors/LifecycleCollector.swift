import ConntrackAggregation
import ConntrackKernel
import ConntrackModel
import Exposition
import LinuxSystem

/// Event-driven counters: connections opened and closed per host, how they ended and
/// lived, and the event stream's own health.
public struct LifecycleCollector: Collector {
    static let opened = MetricDescriptor("conntrack_connections_opened_total", .counter,
        help: "TCP connections created (conntrack NEW events), per remote host.")
    static let closed = MetricDescriptor("conntrack_connections_closed_total", .counter,
        help: "TCP connections removed (conntrack DESTROY events), per remote host and outcome: refused, unanswered, reset, graceful, half_closed or other.")
    static let duration = MetricDescriptor("conntrack_connection_duration_seconds", .histogram,
        help: "How long closed TCP connections lived, from their first packet to their first FIN or their RST (never the kernel's linger after it), per outcome; unanswered connections are never timed. Needs net.netfilter.nf_conntrack_timestamp=1 when the exporter starts.")
    static let untimed = MetricDescriptor("conntrack_exporter_closes_untimed_total", .counter,
        help: "Closed TCP connections left out of conntrack_connection_duration_seconds: no first FIN or RST was seen (they expired, or the event was lost) or they carry no start time.")
    static let events = MetricDescriptor("conntrack_exporter_events_total", .counter,
        help: "Conntrack events received, by type.")
    static let overflows = MetricDescriptor("conntrack_exporter_event_overflows_total", .counter,
        help: "Episodes of event loss: times the exporter's receive buffer overflowed (ENOBUFS), each losing one or more events; conntrack_exporter_events_lost_total counts the events.")
    static let lost = MetricDescriptor("conntrack_exporter_events_lost_total", .counter,
        help: "Conntrack events the kernel dropped because the exporter's receive buffer was full (the Drops of its socket in /proc/net/netlink).")
    static let rejected = MetricDescriptor("conntrack_exporter_event_messages_rejected_total", .counter,
        help: "Netlink messages the event socket dropped because another process, not the kernel, sent them (forged events).")
    static let trackedHosts = MetricDescriptor("conntrack_exporter_tracked_hosts", .gauge,
        help: "Remote hosts the exporter keeps event counters for.")
    static let forgottenHosts = MetricDescriptor("conntrack_exporter_forgotten_hosts_total", .counter,
        help: "Remote hosts whose event counters were dropped because they had not changed for --events.host-ttl.")

    private let listener: LifecycleListener
    private let renderer: HostRenderer

    public init(listener: LifecycleListener, renderer: HostRenderer = HostRenderer()) {
        self.listener = listener
        self.renderer = renderer
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        guard let counters = context.events else { return }
        let lost = try listener.lostEvents()
        let starts = counters.seriesStarts
        HostSeries(counters.opened, renderer: renderer).write(Self.opened, created: starts, into: &writer) { $0 }
        HostSeries(counters.closed, renderer: renderer)
            .write(Self.closed, split: "outcome", by: ConnectionOutcome.allCases, text: \.label, created: starts, into: &writer) { $0[$1] }
        if listener.timesDurations {
            writeDurations(counters.durations, into: &writer)
            writer.header(Self.untimed)
            writer.sample(Self.untimed.name, value: counters.untimedClosures)
        }
        writer.header(Self.events)
        writer.sample(Self.events.name, labels: ["type": "new"], value: counters.newEvents)
        writer.sample(Self.events.name, labels: ["type": "destroy"], value: counters.destroyEvents)
        writer.sample(Self.events.name, labels: ["type": "update"], value: counters.updateEvents)
        writer.header(Self.overflows)
        writer.sample(Self.overflows.name, value: counters.overflows)
        writer.header(Self.lost)
        writer.sample(Self.lost.name, value: lost)
        writer.header(Self.rejected)
        writer.sample(Self.rejected.name, value: listener.rejectedMessages)
        writer.header(Self.trackedHosts)
        writer.sample(Self.trackedHosts.name, value: UInt64(counters.hostCount))
        writer.header(Self.forgottenHosts)
        writer.sample(Self.forgottenHosts.name, value: counters.forgottenHosts)
    }

    private func writeDurations(_ histograms: [Histogram], into writer: inout ExpositionWriter) {
        writer.header(Self.duration)
        // An unanswered connection has no FIN or RST to end its time at.
        for outcome in ConnectionOutcome.allCases where outcome != .unanswered {
            writer.histogramSamples(Self.duration.name, histograms[outcome.rawValue], label: ("outcome", outcome.label))
        }
    }
}
