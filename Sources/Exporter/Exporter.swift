import Collectors
import ConntrackAggregation
import ConntrackKernel
import Exposition
import HTTPServer
import HostNames
import LinuxSystem
import Logging
import TextFormatting
import Views
import WebSecurity

/// A running exporter, wired from ``ExporterOptions``: the table reader, the event listener,
/// the collectors, the routes and the HTTP server. Building one opens every socket, checks
/// that the table can be read and drops privileges; ``serve(until:keepServing:)`` serves.
public final class Exporter {
    private let server: HTTPServer
    private let webConfig: WebConfigStore
    private let names: HostNameDirectory?

    /// Opens what the exporter needs, in the order its guarantees need it: events are
    /// subscribed to before the first table read, and every socket is open before
    /// capabilities are dropped and before any thread starts (capabilities are per thread).
    public init(options: ExporterOptions, logger: Logger) throws(StartupFailure) {
        let names: HostNameDirectory?
        do {
            let resolver = try options.namesDNS.map { (settings) throws(SystemError) in try ReverseResolver(settings: settings, logger: logger) }
            names = options.namesFile != nil || resolver != nil
                ? try HostNameDirectory(file: options.namesFile, resolver: resolver, logger: logger) : nil
        } catch {
            throw StartupFailure("\(error)")
        }
        self.names = names
        let renderer = HostRenderer(names: names, labelsByName: options.hostLabel == .name)
        let statistics = HTTPServerStatistics()
        let socket: ConntrackSocket
        let listener: LifecycleListener?
        let tableSource = options.tableSourceInForce
        let eventTable = tableSource == .dump ? nil
            : EventTable(maxHosts: Self.tableMaxHosts(options), active: tableSource == .events, keepsAges: TimestampSetting.isEnabled())
        // With auto, every dump is measured: its CPU per entry is half of what the choice weighs.
        let dumpCost = tableSource == .auto ? DumpCost() : nil
        func measured(_ source: any TableSource) -> any TableSource { dumpCost?.measuring(source) ?? source }
        // Durations end at the first FIN or RST, from UPDATE events: with timestamps on at start.
        let timesDurations = options.collectors.contains(.lifecycle) && TimestampSetting.isEnabled()
        // The event counters, made first: the table readers take the closed traffic from them.
        let store = options.collectors.contains(.lifecycle) || eventTable != nil
            ? LifecycleStore(LifecycleCounters(maxHosts: options.maxHosts)) : nil
        do {
            // The container image's binary carries cap_net_admin as permitted only, so that exec
            // never fails without it and the missing capability gets the message below.
            // Before any secret is loaded: no core dump may hold the TLS key or a password.
            try CoreDumps.forbid()
            try Capabilities.raiseNetAdmin()
            socket = try ConntrackSocket()
            // The kept table's rebuilds dump on a socket of their own, beside the scrapes' and the views'.
            let kept = try eventTable.map { (table) throws(SystemError) in
                LifecycleListener.KeptTableFeed(table: table, rebuilds: measured(Self.reader(options, dumper: try ConntrackSocket(), closedTraffic: store,
                                                                                                   logger: logger)),
                                                checkInterval: Int64(options.tableCheckIntervalSeconds))
            }
            // Subscribe before the first read: every connection the table shows then has its DESTROY seen.
            listener = try store.map { (store) throws(SystemError) in try LifecycleListener(
                ignore: options.ignore, mode: options.hostLabel, hostTTL: Int64(options.hostTTLSeconds),
                store: store, log: options.eventLog.map { EventLog(format: $0, renderer: renderer) },
                kept: kept, timesDurations: timesDurations, logger: logger) }
            // One short request proves the table can be read; the first scrape does the first
            // dump, so the port opens at once however large the table is.
            let entries = try socket.entryCount()
            logger.info("conntrack table readable", metadata: ["entries": "\(entries)"])
        } catch {
            throw StartupFailure.tableUnreadable(error)
        }
        if !timesDurations {
            logger.info("""
                connection durations are off: conntrack_connection_duration_seconds needs \
                net.netfilter.nf_conntrack_timestamp=1 when the exporter starts \
                (sysctl -w net.netfilter.nf_conntrack_timestamp=1, then restart it; durations also subscribe \
                to UPDATE events, see the README); the exporter never changes sysctls
                """)
        }

        var listeners: [ListeningSocket] = []
        for address in options.listenAddresses {
            do {
                listeners += try ListeningSocket.open(address)
            } catch {
                throw StartupFailure("\(error)")
            }
        }
        do {
            webConfig = try WebConfigStore(path: options.webConfigFile, logger: logger)
        } catch {
            throw StartupFailure("\(error)")
        }
        do {
            // Every socket that needs more than CAP_NET_ADMIN is open (a port below 1024 needs
            // CAP_NET_BIND_SERVICE), and no thread has started yet.
            try Capabilities.keepOnlyNetAdmin(switchingTo: options.user)
            try CoreDumps.forbid()
            // Events that arrived since subscribing wait in the socket's buffer.
            try listener?.start()
        } catch {
            throw StartupFailure("\(error)")
        }

        let reader = Self.reader(options, dumper: socket, closedTraffic: store, logger: logger)
        let chooser = Self.chooser(options, dumpCost: dumpCost, listener: listener, updatesAnyway: timesDurations, logger: logger)
        let source: any TableSource = eventTable.map { EventTableSource(table: $0, dumps: measured(reader), chooser: chooser) } ?? reader
        let tableSourceCollector = TableSourceCollector(table: eventTable, chooser: chooser)
        let lifecycle = options.collectors.contains(.lifecycle) ? listener : nil
        let scraper = Scraper(table: source, events: lifecycle?.store, collectors: options.collectors.compactMap { name in
            Self.collector(name, options: options, socket: socket, listener: lifecycle, tableSource: tableSourceCollector, renderer: renderer,
                           statistics: statistics, names: names, logger: logger)
        }, beforeRead: {
            names?.refreshIfChanged()
        }, logger: logger)
        var pacing = ScrapeCoalescer.Pacing()
        pacing.maxAge = options.tableMaxAge
        let coalescer = ScrapeCoalescer(scraper: scraper, pacing: pacing)
        let views = options.views ? DiagnosticViews(coalescer: coalescer, lifecycle: { lifecycle?.snapshot ?? LifecycleCounters() },
                                                    renderer: renderer) : nil
        // The traffic counters count from the first read (their baseline): it comes at once.
        if options.collectors.contains(.traffic) { coalescer.scrapeAtStart() }
        let routes = ExporterRoutes(telemetryPath: options.telemetryPath, coalescer: coalescer, views: views)
        let gate = WebGate(store: webConfig, next: routes.handle)
        do {
            server = try HTTPServer(listeners: listeners, transports: webConfig, statistics: statistics, logger: logger,
                                    handler: gate.handle)
        } catch {
            throw StartupFailure("\(error)")
        }
        logger.info("listening", metadata: [
            "addresses": "\(listeners.map(\.boundAddress.description).joined(separator: ","))",
            "path": "\(options.telemetryPath)", "version": "\(BuildInfo.version)",
            "tls": "\(webConfig.servesTLS)", "basic_auth": "\(!webConfig.current.config.users.isEmpty)",
            "collectors": "\(options.collectors.map(\.rawValue).joined(separator: ","))",
            "table_source": "\(tableSource.rawValue)",
        ])
    }

    /// Serves until `control` becomes readable and `keepServing` then returns false.
    public func serve(until control: Int32, keepServing: () -> Bool) throws(SystemError) {
        try server.run(until: control, keepServing: keepServing)
    }

    /// Re-reads the web config file and the names file now (SIGHUP).
    public func reload() {
        webConfig.reload()
        names?.reload()
    }

    /// Hosts a table read counts apart at most.
    private static func tableMaxHosts(_ options: ExporterOptions) -> Int {
        options.maxHosts * ExporterOptions.tableHostsPerSeries
    }

    /// `--table.source=auto`'s chooser, switching the listener's kept table on and off. When
    /// UPDATE events are subscribed to `anyway` (for durations), the packet path pays for them
    /// in both modes, and the kept table's estimate leaves that out.
    private static func chooser(_ options: ExporterOptions, dumpCost: DumpCost?, listener: LifecycleListener?,
                                updatesAnyway: Bool, logger: Logger) -> TableSourceChooser? {
        guard let dumpCost, let listener else { return nil }
        let policy = TableSourcePolicy(checkIntervalSeconds: Double(options.tableCheckIntervalSeconds),
                                       kernelSecondsPerConnection: updatesAnyway ? 0 : options.tableKernelSecondsPerConnection)
        return TableSourceChooser(policy: policy,
                                  dumps: dumpCost, logger: logger,
                                  listener: { listener.totals }, switchTo: { mode throws(SystemError) in try listener.keepTable(mode == .events) })
    }

    private static func reader(_ options: ExporterOptions, dumper: any TableDumping, closedTraffic: LifecycleStore?,
                               logger: Logger) -> TableReader {
        TableReader(dumper: dumper, ignore: options.ignore, mode: options.hostLabel, idleThreshold: options.idleThresholdSeconds,
                    maxHosts: tableMaxHosts(options),
                    nat: options.collectors.contains(.nat) ? (options.natUDP ? .tcpAndUDP : .tcp) : nil,
                    closedTraffic: closedTraffic, logger: logger)
    }

    private static func collector(_ name: CollectorName, options: ExporterOptions, socket: ConntrackSocket,
                                  listener: LifecycleListener?, tableSource: TableSourceCollector, renderer: HostRenderer,
                                  statistics: HTTPServerStatistics, names: HostNameDirectory?,
                                  logger: Logger) -> CollectorRegistry<ScrapeContext>.Entry? {
        let collector: any Collector<ScrapeContext>
        switch name {
        case .connectionStates: collector = ConnectionStateCollector(folding: HostFolding(maxHosts: options.maxHosts), renderer: renderer)
        case .lifecycle:
            guard let listener else { return nil }
            collector = LifecycleCollector(listener: listener, renderer: renderer)
        case .traffic:
            guard let listener else { return nil }
            let accounting = AccountingSetting.isEnabled()
            TrafficCollector.logAccounting(accounting, logger: logger)
            collector = TrafficCollector(store: listener.store, renderer: renderer, logger: logger, loggedAccounting: accounting)
        case .nat: collector = NATCollector(renderer: renderer, ranges: options.natPortRanges, top: options.natTop, maxPairs: options.maxHosts)
        case .tableHealth: collector = TableHealthCollector(socket: socket)
        case .tableSource: collector = tableSource
        case .names:
            guard let names else { return nil }
            collector = NamesCollector(directory: names, renderer: renderer,
                                       wanted: options.maxHosts > 0 ? options.maxHosts : 10_000)
        case .process: collector = ProcessCollector()
        case .http: collector = HTTPCollector(statistics: statistics)
        case .buildInfo: collector = BuildInfoCollector()
        }
        return CollectorRegistry.Entry(name.rawValue, collector)
    }
}
