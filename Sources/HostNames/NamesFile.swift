import ConntrackAggregation
import ConntrackModel
import LinuxSystem

/// `--names.file`: names for addresses and networks, optionally per server port, one per line:
///
///     198.18.0.7          db-1.example.org
///     198.18.0.0/24:5432  postgres.example.org
///     [2001:db8::/32]:443 web.example.org
///
/// `#` starts a comment. The most specific entry matching a host wins: the longest prefix,
/// and at equal length the one naming the host's port.
public struct NamesFile: Sendable {
    /// The names of one network: for any port, and per port.
    private struct Names: Sendable {
        var anyPort: String?
        var byPort: [UInt16: String] = [:]
    }

    /// Networks by family and prefix length, the longest first: a lookup probes each length
    /// once, so a file of thousands of entries costs a scrape no more than one of ten.
    private let lengths: [(family: IPAddress.Family, length: Int, networks: [IPAddress: Names])]

    /// No names.
    public init() {
        lengths = []
    }

    /// Parses `text`, read from `path`; throws naming the line at fault.
    public init(parsing text: String, path: String) throws(NamesFileError) {
        var networks: [Int: [IPAddress: Names]] = [:]
        var lines: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.prefix { $0 != "#" }.trimmingSpaces()
            if content.isEmpty { continue }
            func failure(_ reason: String) -> NamesFileError { NamesFileError(path: path, line: index + 1, reason: reason) }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2 else { throw failure("expected an address or network, then a name") }
            let match: IgnoreRule
            do {
                match = try IgnoreRule(parsing: fields[0])
            } catch {
                throw failure("\"\(fields[0])\" is not an address, network, or either with :port")
            }
            guard let network = match.network else { throw failure("\"\(fields[0])\" names no address: a port alone matches every host") }
            let name: String
            switch HostNameSyntax.validate(fields[1].utf8) {
            case .success(let valid): name = valid
            case .failure(let rejection): throw failure("\"\(fields[1])\" is not a host name (\(rejection.rawValue))")
            }
            let key = network.masked(to: match.prefixLength)
            let identity = "\(key.description(withPort: match.port ?? 0))/\(match.prefixLength)"
            if let earlier = lines[identity] { throw failure("\"\(fields[0])\" is named on line \(earlier) already") }
            lines[identity] = index + 1
            let slot = Int(network.family.rawValue) << 8 | match.prefixLength
            if let port = match.port {
                networks[slot, default: [:]][key, default: Names()].byPort[port] = name
            } else {
                networks[slot, default: [:]][key, default: Names()].anyPort = name
            }
        }
        lengths = networks.map { (IPAddress.Family(rawValue: UInt8($0.key >> 8))!, $0.key & 0xff, $0.value) }
            .sorted { $0.length > $1.length }
    }

    /// Reads and parses `path`.
    public static func load(_ path: String) throws(NamesFileError) -> NamesFile {
        let text: String
        do {
            text = try FileContents.read(path)
        } catch {
            throw NamesFileError(path: path, line: 0, reason: "\(error)")
        }
        return try NamesFile(parsing: text, path: path)
    }

    /// The name of the most specific entry matching `host`: the longest prefix, and at equal
    /// length the entry for the host's port.
    public func name(of host: HostKey) -> String? {
        for (family, length, networks) in lengths where family == host.address.family {
            guard let names = networks[host.address.masked(to: length)] else { continue }
            if let port = host.port, let name = names.byPort[port] { return name }
            if let name = names.anyPort { return name }
        }
        return nil
    }
}

/// A names file that cannot be used: where, and why.
public struct NamesFileError: Error, CustomStringConvertible {
    public let path: String
    /// 0 for the file as a whole.
    public let line: Int
    public let reason: String

    public var description: String {
        line == 0 ? "names file \(path): \(reason)" : "names file \(path):\(line): \(reason)"
    }
}
