import ConntrackModel
import LinuxSystem
import Logging
import Synchronization

/// Where hosts get their names: the names file first (what the operator wrote), then reverse
/// DNS. Answers from memory at once; lookups happen on the resolver's thread.
public final class HostNameDirectory: HostNaming {
    private let path: String?
    private let file: Mutex<(names: NamesFile, stamp: FileStamp?, failed: FileStamp?)>
    public let resolver: ReverseResolver?
    private let logger: Logger

    /// Loads `path` now (a bad line stops startup: this throws naming it) and starts `resolver`'s lookups.
    public init(file path: String?, resolver: ReverseResolver?, logger: Logger) throws(NamesFileError) {
        self.path = path
        self.resolver = resolver
        self.logger = logger
        let stamp = path.map(FileStamp.init(path:))
        file = Mutex((try path.map { (path) throws(NamesFileError) in try NamesFile.load(path) } ?? NamesFile(), stamp, nil))
    }

    public func name(of host: HostKey) -> HostName? {
        if let name = file.withLock({ $0.names.name(of: host) }) { return HostName(name: name, source: .file) }
        return resolver?.name(of: host.address).map { HostName(name: $0, source: .dns) }
    }

    /// Asks for DNS names of `hosts`, busiest first.
    public func want(_ hosts: [HostKey]) {
        resolver?.want(hosts.map(\.address))
    }

    /// Re-reads the names file if it changed since it was read (checked before each table read).
    public func refreshIfChanged() {
        guard let path else { return }
        let stamp = FileStamp(path: path)
        let changed = file.withLock { $0.stamp != stamp && $0.failed != stamp }
        if changed { reload(path: path, stamp: stamp) }
    }

    /// Re-reads the names file now (SIGHUP).
    public func reload() {
        guard let path else { return }
        reload(path: path, stamp: FileStamp(path: path))
    }

    /// A file that does not parse keeps the names in force, and the log says why once per change.
    private func reload(path: String, stamp: FileStamp) {
        do {
            let names = try NamesFile.load(path)
            file.withLock { $0 = (names, stamp, nil) }
            logger.info("names file reloaded", metadata: ["file": "\(path)"])
        } catch {
            let first = file.withLock { state in
                defer { state.failed = stamp }
                return state.failed != stamp
            }
            if first { logger.error("names file not reloaded; keeping the names in force", metadata: ["err": "\(error)"]) }
        }
    }
}
