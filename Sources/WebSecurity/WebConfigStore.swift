import LinuxSystem
import HTTPServer
import Logging
import Synchronization

/// The web config in force. Re-read, as exporter-toolkit does, when a new connection
/// arrives after the file or a certificate, key or CA file it names changed, and on
/// SIGHUP. A file that no longer loads keeps the config in force, and the log says why.
public final class WebConfigStore: Sendable {
    /// A loaded config with what it needs at run time.
    public struct Setup: Sendable {
        public let config: WebConfig
        let tls: TLSContext?
        let authenticator: BasicAuthenticator?
        /// `config.headers` as every response carries them, in a stable order.
        let responseHeaders: [(name: String, value: String)]

        init(config: WebConfig, tls: TLSContext? = nil) {
            self.config = config
            self.tls = tls
            authenticator = config.users.isEmpty ? nil : BasicAuthenticator(users: config.users)
            responseHeaders = config.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        }
    }

    private struct State {
        var setup: Setup
        var stamps: [FileStamp]
        /// The stamps of the last file that failed to load, so it is logged once.
        var failedStamps: [FileStamp]?
    }

    private let path: String?
    private let state: Mutex<State>
    private let logger: Logger

    /// Loads `path` (nil: plain HTTP, no authentication); throws what is wrong with it.
    public init(path: String?, logger: Logger) throws(WebConfigError) {
        self.path = path
        self.logger = logger
        let setup = try path.map { (path) throws(WebConfigError) in try Self.load(path) } ?? Setup(config: WebConfig())
        state = Mutex(State(setup: setup, stamps: path.map { Self.stamps($0, config: setup.config) } ?? []))
    }

    public var current: Setup {
        state.withLock { $0.setup }
    }

    /// Whether connections are served over TLS: fixed at startup, a reload cannot change it.
    public var servesTLS: Bool {
        current.tls != nil
    }

    /// Re-reads the config when a file it depends on changed since the last read.
    public func refreshIfChanged() {
        guard let path else { return }
        let stamps = Self.stamps(path, config: current.config)
        let changed = state.withLock { $0.stamps != stamps && $0.failedStamps != stamps }
        if changed { reload(path: path, stamps: stamps) }
    }

    /// Re-reads the config now (SIGHUP).
    public func reload() {
        guard let path else { return logger.info("SIGHUP: no --web.config.file to reload") }
        reload(path: path, stamps: Self.stamps(path, config: current.config))
    }

    /// `stamps` are those the attempt is remembered by, taken before reading.
    private func reload(path: String, stamps: [FileStamp]) {
        do {
            let setup = try Self.load(path)
            guard (setup.tls != nil) == servesTLS else {
                throw WebConfigError(file: path, key: "tls_server_config",
                                     reason: "turning TLS \(servesTLS ? "off" : "on") needs a restart")
            }
            state.withLock { $0 = State(setup: setup, stamps: Self.stamps(path, config: setup.config)) }
            logger.info("web config reloaded", metadata: ["file": "\(path)"])
        } catch {
            state.withLock { $0.failedStamps = stamps }
            logger.error("web config not reloaded; keeping the one in force", metadata: ["err": "\(error)"])
        }
    }

    private static func load(_ path: String) throws(WebConfigError) -> Setup {
        let config = try WebConfig.load(path: path)
        var tls: TLSContext?
        if let settings = config.tls {
            do {
                tls = try TLSContext(settings)
            } catch {
                throw WebConfigError(file: path, key: "tls_server_config", reason: error.reason)
            }
        }
        return Setup(config: config, tls: tls)
    }

    /// The config file's stamp, then those of the files `config` names.
    private static func stamps(_ path: String, config: WebConfig) -> [FileStamp] {
        let named = config.tls.map { [$0.certFile, $0.keyFile] + [$0.clientCAFile].compactMap { $0 } } ?? []
        return ([path] + named).map(FileStamp.init(path:))
    }
}

extension WebConfigStore: TransportProvider {
    /// TLS with the certificate in force now (re-read first if a file changed), or the socket as it is.
    public func transport(for fd: Int32) -> (any ConnectionTransport)? {
        refreshIfChanged()
        guard let context = current.tls else { return PlainTransport(fd: fd) }
        return TLSTransport(context: context, fd: fd)
    }
}
