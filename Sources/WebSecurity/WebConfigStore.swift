import LinuxSystem
import HTTPServer
import Logging
import Synchronization

/// The web config in force. Re-read, as exporter-toolkit does, when a new connection
/// arrives after the file or a certificate, key or CA file it names changed, and on
/// SIGHUP. A reload never weakens what is in force: one that would remove basic auth or
/// turn TLS on or off, or that finds the file empty, partial or unparsable, is refused (the
/// config in force stays, and the log says why, once per change of the files). Each file's
/// stamp is taken before it is read, so a write that races a reload is seen at the next check.
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
        /// The stamps of the last files that failed to load, so they are logged once.
        var failedStamps: [FileStamp]?
    }

    private let path: String?
    private let state: Mutex<State>
    private let logger: Logger

    /// Loads `path` (nil: plain HTTP, no authentication); throws what is wrong with it.
    public init(path: String?, logger: Logger) throws(WebConfigError) {
        self.path = path
        self.logger = logger
        let (setup, stamps) = try path.map { (path) throws(WebConfigError) in try Self.load(path, requireSettings: false) }
            ?? (Setup(config: WebConfig()), [])
        state = Mutex(State(setup: setup, stamps: stamps))
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
        if changed { reload(path: path, seen: stamps) }
    }

    /// Re-reads the config now (SIGHUP).
    public func reload() {
        guard let path else { return logger.info("SIGHUP: no --web.config.file to reload") }
        reload(path: path, seen: Self.stamps(path, config: current.config))
    }

    /// `seen` are the stamps a failed attempt is remembered by, so it is logged once.
    private func reload(path: String, seen: [FileStamp]) {
        let inForce = current
        do {
            let (setup, stamps) = try Self.load(path, requireSettings: true)
            guard (setup.tls != nil) == (inForce.tls != nil) else {
                throw WebConfigError(file: path, key: "tls_server_config",
                                     reason: "turning TLS \(inForce.tls != nil ? "off" : "on") needs a restart")
            }
            guard !setup.config.users.isEmpty || inForce.config.users.isEmpty else {
                throw WebConfigError(file: path, key: "basic_auth_users", reason: "removing basic auth needs a restart")
            }
            state.withLock { $0 = State(setup: setup, stamps: stamps) }
            logger.info("web config reloaded", metadata: ["file": "\(path)"])
        } catch {
            let first = state.withLock { state in
                defer { state.failedStamps = seen }
                return state.failedStamps != seen
            }
            if first { logger.error("web config not reloaded; keeping the one in force", metadata: ["err": "\(error)"]) }
        }
    }

    /// The setup `path` holds, with the stamps of the files it was made from, each taken
    /// before that file was read.
    private static func load(_ path: String, requireSettings: Bool) throws(WebConfigError) -> (Setup, [FileStamp]) {
        let fileStamp = FileStamp(path: path)
        let config = try WebConfig.load(path: path, requireSettings: requireSettings)
        let named = namedFiles(config).map(FileStamp.init(path:))
        var tls: TLSContext?
        if let settings = config.tls {
            do {
                tls = try TLSContext(settings)
            } catch {
                throw WebConfigError(file: path, key: "tls_server_config", reason: error.reason)
            }
        }
        return (Setup(config: config, tls: tls), [fileStamp] + named)
    }

    /// The config file's stamp, then those of the files `config` names.
    private static func stamps(_ path: String, config: WebConfig) -> [FileStamp] {
        ([path] + namedFiles(config)).map(FileStamp.init(path:))
    }

    private static func namedFiles(_ config: WebConfig) -> [String] {
        config.tls.map { [$0.certFile, $0.keyFile] + [$0.clientCAFile].compactMap { $0 } } ?? []
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
