import ArgumentParser
import Collectors
import ConntrackAggregation
import ConntrackModel
import Exporter
import Glibc
import HTTPServer
import HostNames
import LinuxSystem
import Logging
import TextFormatting

@main
struct ExporterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conntrack_exporter",
        abstract: "Prometheus exporter for the kernel's TCP connection-tracking table, per remote host.",
        discussion: """
        Reads the conntrack table over netlink (it never writes it) and serves per-host TCP connection \
        states on the telemetry path. Needs CAP_NET_ADMIN: run as root, or grant the capability \
        (docker run --cap-add=NET_ADMIN --net=host).
        """,
        version: "conntrack_exporter \(BuildInfo.version) (revision \(BuildInfo.revision))"
    )

    @Option(name: .customLong("web.listen-address"),
            help: ArgumentHelp("Address to listen on: host:port, [v6]:port or :port for all addresses; repeatable (default: :9318).",
                               valueName: "address"))
    var listenAddresses: [String] = []

    @Option(name: .customLong("bind-address"),
            help: ArgumentHelp("Alias: the host part of a listen address (with --listen-port).", valueName: "ip"))
    var bindAddress: String?

    @Option(name: .customLong("listen-port"),
            help: ArgumentHelp("Alias: the port of a listen address (with --bind-address; default 9318).", valueName: "port"))
    var listenPort: UInt16?

    @Option(name: [.customLong("web.telemetry-path"), .customLong("listen-path")],
            help: ArgumentHelp("Path under which to expose metrics (alias --listen-path).", valueName: "path"))
    var telemetryPath = "/metrics"

    @Option(name: .customLong("web.config.file"),
            help: ArgumentHelp("""
                Web config file (Prometheus exporter-toolkit format): TLS, basic auth, response headers. \
                Re-read when it or a file it names changes, and on SIGHUP.
                """, valueName: "path"))
    var webConfigFile: String?

    @Option(name: .customLong("user"),
            help: ArgumentHelp("""
                Switch to this user (name or uid) after opening the sockets, keeping CAP_NET_ADMIN only. \
                Whatever the user, every capability but CAP_NET_ADMIN is dropped at startup.
                """, valueName: "user"))
    var user: String?

    @Option(name: .customLong("ignore-hosts"),
            help: ArgumentHelp("""
                Comma-separated connections to count nowhere: ip, ip:port, [v6]:port, CIDR, CIDR:port, \
                [v6-CIDR]:port, :port or *:port. Matched against the remote address and the server-side port.
                """, valueName: "list"))
    var ignoreHosts: [String] = []

    @Option(name: .customLong("host-label"),
            help: ArgumentHelp("""
                What the host label holds: ip-port (remote address and server port), ip (address only), or name (the \
                host's name and server port, from --names.*, its address until it has one).
                """, valueName: "ip-port|ip|name"))
    var hostLabel: HostLabelMode = .endpoint

    @Option(name: .customLong("idle-threshold"),
            help: ArgumentHelp("""
                How long an open connection must carry no packet to count in conntrack_idle_connections: \
                seconds or a duration such as 90s, 5m, 1h; 0 turns the gauge off.
                """, valueName: "duration"))
    var idleThreshold = "5m"

    @Option(name: .customLong("events.host-ttl"),
            help: ArgumentHelp("""
                Forget a host's opened/closed counters once they have not changed for this long (a duration \
                such as 30m, 1h, 1d); 0 keeps every host until the exporter restarts.
                """, valueName: "duration"))
    var hostTTL = "1h"

    @Option(name: .customLong("max-hosts"),
            help: ArgumentHelp("""
                Most hosts with series of their own (0: no cap, and no bound on memory). The table's gauges keep the \
                hosts with the most connections and sum the rest under host="other"; the opened/closed counters count \
                hosts first seen past the cap under host="other" until hosts are forgotten (after --events.host-ttl, or \
                after 5 minutes unchanged while at the cap). A read counts at most 64 times this many hosts apart.
                """, valueName: "n"))
    var maxHosts = ExporterOptions.defaultMaxHosts

    @Option(name: .customLong("table.max-age"),
            help: ArgumentHelp("""
                A scrape or /hosts arriving within this of the last table read's start is answered from it (one dump \
                for an HA pair of Prometheus servers). Reads also start no sooner than 3 times the last read's \
                duration after it ended; a scrape arriving sooner gets the last read too. 0 shares only reads under way.
                """, valueName: "duration"))
    var tableMaxAge = "2s"

    @Option(name: .customLong("table.source"),
            help: ArgumentHelp("""
                Where the state gauges come from: dump (the table is dumped for each read), events (a table kept \
                from NEW, UPDATE and DESTROY events, rebuilt from a dump at start, after lost events and every \
                --table.check-interval; a scrape then costs O(hosts), not O(entries)) or auto (dumps, and the kept \
                table while its estimated CPU, the packet path's included, is under half the dumps' and dumps cost \
                1% of a core or more; reconsidered every minute or check interval; without the lifecycle collector, \
                whose events it measures churn by, dumps). While the table is kept, idle \
                counts, idle and age histograms and NAT counts come from the latest rebuild's dump, open \
                connections' bytes count when they close, and /connections still dumps.
                """, valueName: "dump|events|auto"))
    var tableSource: TableSourceChoice = .auto

    @Option(name: .customLong("table.check-interval"),
            help: ArgumentHelp("""
                With --table.source=events (or auto, while the table is kept): how often the kept table is rebuilt from a dump, as a check \
                (conntrack_exporter_table_corrections_total counts what it corrected) and for the data only dumps carry.
                """, valueName: "duration"))
    var tableCheckInterval = "10m"

    @Option(name: .customLong("table.kernel-cost-per-connection"),
            help: ArgumentHelp("""
                For --table.source=auto: microseconds of CPU the machine spends beyond the exporter on one \
                connection's UPDATE messages while the table is kept (built in the packet path, where the exporter \
                cannot measure it). The default is near what a 2-core AMD EPYC measured; Benchmarks/run.sh \
                update-cost measures this machine's.
                """, valueName: "µs"))
    var tableKernelCost = TableSourcePolicy.defaultKernelSecondsPerConnection * 1e6

    @Option(name: .customLong("names.file"),
            help: ArgumentHelp("""
                Names for hosts: lines of ADDRESS[/LEN][:PORT] NAME ([v6]:PORT for IPv6 with a port); the most specific \
                match wins. Re-read when it changes and on SIGHUP; a bad line stops startup (at a reload, the names in \
                force are kept).
                """, valueName: "path"))
    var namesFile: String?

    @Flag(name: .customLong("names.dns"),
          help: "Name hosts by reverse DNS (c-ares, /etc/resolv.conf), forward-confirmed: a PTR name is used only if its A/AAAA records hold the address. Scrapes never wait for it.")
    var namesDNS = false

    @Flag(name: .customLong("names.dns-unverified"),
          help: "UNSAFE: use PTR names without forward confirmation. Whoever controls an address's reverse zone then chooses what it is called (db-primary.internal, say).")
    var namesUnverified = false

    @Option(name: .customLong("names.cache-size"), help: ArgumentHelp("Addresses the resolver remembers at most.", valueName: "n"))
    var namesCacheSize = 10_000

    @Option(name: .customLong("names.dns-rate"), help: ArgumentHelp("Reverse lookups started per second at most.", valueName: "n"))
    var namesRate = 20

    @Option(name: .customLong("names.dns-min-ttl"),
            help: ArgumentHelp("Shortest a DNS answer is kept, failures included (doubling per failure up to the longest).", valueName: "duration"))
    var namesMinTTL = "60s"

    @Option(name: .customLong("names.dns-max-ttl"),
            help: ArgumentHelp("Longest a DNS answer is kept; an address nobody wanted for this long is forgotten.", valueName: "duration"))
    var namesMaxTTL = "1h"

    @Option(name: .customLong("nat.port-range"),
            help: ArgumentHelp("""
                The ports a source-NAT rule allocates from, for translated addresses in a network: ADDRESS[/LEN]=FIRST-LAST \
                (repeatable; the longest match wins). The exporter cannot read NAT rules: unstated, the kernel's default \
                1024-65535 is assumed.
                """, valueName: "range"))
    var natPortRanges: [String] = []

    @Option(name: .customLong("nat.top"),
            help: ArgumentHelp("Source-NAT translations shown in conntrack_snat_ports_*, the busiest first.", valueName: "n"))
    var natTop = 20

    @Flag(name: .customLong("nat.udp"),
          help: "Count UDP source-NAT translations too (DNS through NAT exhausts ports as well); every read then dumps the whole table.")
    var natUDP = false

    @Flag(name: .customLong("web.views"), inversion: .prefixedNo,
          help: "Serve the curl views /connections and /hosts (connection endpoints, to whoever may scrape).")
    var views = true

    @Option(name: .customLong("log.level"), help: ArgumentHelp("Log level: debug, info, warn or error.", valueName: "level"))
    var logLevel: LogLevelOption = .info

    @Option(name: .customLong("log.format"), help: ArgumentHelp("Log format: logfmt or json.", valueName: "format"))
    var logFormat: LogFormat = .logfmt

    @Flag(name: .customLong("debug"), help: "Same as --log.level=debug.")
    var debug = false

    @Flag(name: .customLong("log-events"), help: "Write one line per TCP connection event (NEW, DESTROY) to standard output.")
    var logEvents = false

    @Option(name: .customLong("log-events-format"),
            help: ArgumentHelp("Event line format: json, or netfilter (as conntrack -E prints).", valueName: "format"))
    var logEventsFormat: EventLogFormat = .json

    @OptionGroup(title: "Collectors") var collectors: CollectorFlags

    func validate() throws {
        _ = try options()
        // A path with '?', '#' or bytes outside visible ASCII could never match a request's path.
        guard telemetryPath.hasPrefix("/"),
              telemetryPath.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }) else {
            throw ValidationError("--web.telemetry-path must start with '/' and hold only visible ASCII without '?' or '#'")
        }
    }

    func run() throws {
        // Before any thread starts, so every thread inherits the blocked signals.
        let signals = try ProcessSignals()
        HeapPolicy.returnLargeAllocations()
        let level = debug ? Logger.Level.debug : logLevel.level
        LoggingSystem.bootstrap { [logFormat] _ in LineLogHandler(format: logFormat, level: level) }
        let logger = Logger(label: "conntrack_exporter")
        let exporter: Exporter
        do {
            exporter = try Exporter(options: try options(), logger: logger)
        } catch {
            logger.error("\(error)")
            throw ExitCode.failure
        }
        var stopSignal: Int32?
        try exporter.serve(until: signals.fd) {
            while let signal = signals.take() {
                switch signal {
                case SIGHUP: exporter.reload()
                case SIGINT, SIGTERM: stopSignal = signal
                default: logger.info("ignoring signal", metadata: ["signal": "\(String(cString: strsignal(signal)))"])
                }
            }
            return stopSignal == nil
        }
        logger.info("stopping", metadata: ["signal": "\(stopSignal.map { String(cString: strsignal($0)) } ?? "?")"])
    }

    /// The flags as the exporter takes them; throws what is wrong with them.
    private func options() throws -> ExporterOptions {
        var options = ExporterOptions()
        options.listenAddresses = try addresses()
        options.telemetryPath = telemetryPath
        options.webConfigFile = webConfigFile
        if let user {
            guard let account = UserAccount(user) else {
                throw ValidationError("--user: no user \"\(user)\" in the password database")
            }
            options.user = account
        }
        options.ignore = try ignoreList()
        options.hostLabel = hostLabel
        options.idleThresholdSeconds = try Self.seconds(idleThreshold, flag: "--idle-threshold")
        options.hostTTLSeconds = try Self.seconds(hostTTL, flag: "--events.host-ttl")
        guard maxHosts >= 0 else { throw ValidationError("--max-hosts must be 0 (no cap) or more") }
        options.maxHosts = maxHosts
        options.tableMaxAge = .seconds(try Self.seconds(tableMaxAge, flag: "--table.max-age"))
        options.tableSource = tableSource
        options.tableCheckIntervalSeconds = try Self.seconds(tableCheckInterval, flag: "--table.check-interval")
        guard options.tableCheckIntervalSeconds >= 10 else { throw ValidationError("--table.check-interval must be 10s or more") }
        guard tableKernelCost >= 0, tableKernelCost.isFinite else {
            throw ValidationError("--table.kernel-cost-per-connection must be a number of microseconds, 0 or more")
        }
        options.tableKernelSecondsPerConnection = tableKernelCost / 1e6
        options.views = views
        options.eventLog = logEvents ? logEventsFormat : nil
        do {
            options.natPortRanges = try PortRangeMap(parsing: natPortRanges)
        } catch {
            throw ValidationError(error.description)
        }
        guard natTop > 0 else { throw ValidationError("--nat.top must be 1 or more") }
        options.natTop = natTop
        options.natUDP = natUDP
        options.namesFile = namesFile
        if namesDNS || namesUnverified {
            var settings = ReverseResolver.Settings()
            settings.verifies = !namesUnverified
            guard namesCacheSize > 0, namesRate > 0 else { throw ValidationError("--names.cache-size and --names.dns-rate must be 1 or more") }
            settings.cacheEntries = namesCacheSize
            settings.ratePerSecond = namesRate
            settings.minimumTTL = Int64(try Self.seconds(namesMinTTL, flag: "--names.dns-min-ttl"))
            settings.maximumTTL = Int64(try Self.seconds(namesMaxTTL, flag: "--names.dns-max-ttl"))
            guard settings.minimumTTL >= 1, settings.minimumTTL <= settings.maximumTTL else {
                throw ValidationError("--names.dns-min-ttl must be 1 s or more, and no longer than --names.dns-max-ttl")
            }
            options.namesDNS = settings
        }
        if hostLabel == .name && namesFile == nil && options.namesDNS == nil {
            throw ValidationError("--host-label=name needs --names.file or --names.dns")
        }
        options.disabledCollectors = collectors.disabled
        return options
    }

    private static func seconds(_ text: String, flag: String) throws -> UInt32 {
        guard let seconds = DurationText.seconds(text) else {
            throw ValidationError("\(flag): \"\(text)\" is not a duration (seconds, or such as 90s, 5m, 1h)")
        }
        return seconds
    }

    private func ignoreList() throws -> IgnoreList {
        do {
            return try IgnoreList(parsing: ignoreHosts)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--web.listen-address` values, plus the one `--bind-address`/`--listen-port` compose.
    private func addresses() throws -> [ListenAddress] {
        var addresses: [ListenAddress] = []
        for text in listenAddresses {
            do {
                addresses.append(try ListenAddress(parsing: text))
            } catch {
                throw ValidationError(error.description)
            }
        }
        if bindAddress != nil || listenPort != nil {
            addresses.append(ListenAddress(bindAddress: bindAddress, port: listenPort ?? ListenAddress.defaultPort))
        }
        return addresses.isEmpty ? [ListenAddress(host: nil, port: ListenAddress.defaultPort)] : addresses
    }
}

/// `--log.level` values as Prometheus exporters spell them.
enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case debug, info, warn, error

    var level: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

extension LogFormat: ExpressibleByArgument {}
extension HostLabelMode: ExpressibleByArgument {}
extension TableSourceChoice: ExpressibleByArgument {}
extension EventLogFormat: ExpressibleByArgument {}
