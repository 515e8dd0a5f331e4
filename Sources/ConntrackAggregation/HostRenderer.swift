import ConntrackModel
import TextFormatting

/// The one place where a host becomes text: the `host` label of every per-host metric, and
/// the host in the curl views, their JSON and the event log. ``HostLabeler`` decides what a
/// host is; this decides how it reads. A label every host carries (a name, a backend) is
/// added to ``labelNames`` and ``appendValue(_:of:to:)`` here, and every output follows.
///
/// Values come out raw: each output escapes them its own way (the exposition format's
/// label escaping, JSON string escaping, aligned text columns).
public struct HostRenderer: Sendable {
    /// The labels each host carries, in order; `host` first.
    public let labelNames = ["host"]
    private let names: (any HostNaming)?
    /// `--host-label=name`: the `host` label is the host's name (with its port), once known.
    public let labelsByName: Bool

    /// `names` gives hosts their names; with `labelsByName` the `host` label shows them.
    public init(names: (any HostNaming)? = nil, labelsByName: Bool = false) {
        self.names = names
        self.labelsByName = labelsByName && names != nil
    }

    /// Whether hosts may have names (a names file or reverse DNS is configured).
    public var hasNames: Bool { names != nil }

    /// The name of `host` known now.
    public func name(of host: HostKey) -> HostName? {
        names?.name(of: host)
    }

    /// Appends the value of label `index` (of ``labelNames``) for `host`: a scrape writes
    /// every host's labels this way, with no string built per host.
    public func appendValue(_ index: Int, of host: HostKey, to bytes: inout [UInt8]) {
        guard labelsByName, host != .other, let name = names?.name(of: host) else { return host.appendText(to: &bytes) }
        bytes.append(contentsOf: name.name.utf8)
        if let port = host.port {
            bytes.append(UInt8(ascii: ":"))
            bytes.appendDecimal(UInt64(port))
        }
    }

    /// The `host` label's value of `host` by its address, whatever the label mode.
    public func addressValue(of host: HostKey) -> String {
        host.description
    }

    /// The value of label `index` for `host`.
    public func value(_ index: Int, of host: HostKey) -> String {
        var bytes: [UInt8] = []
        appendValue(index, of: host, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Each label of `host` as a (name, value) pair, `host` first.
    public func labels(of host: HostKey) -> [(name: String, value: String)] {
        labelNames.indices.map { (labelNames[$0], value($0, of: host)) }
    }

    /// The fields a host shows in the curl views, their JSON and the event log: its labels,
    /// then, when hosts may have names, its name.
    public var fieldNames: [String] { labelNames + (hasNames ? ["name"] : []) }

    /// ``fieldNames``' values for `host`; a name not known (yet) is nil.
    public func fields(of host: HostKey) -> [(name: String, value: String?)] {
        labels(of: host).map { (name: $0.name, value: Optional($0.value)) } + (hasNames ? [("name", name(of: host)?.name)] : [])
    }

    /// An endpoint that is not a host of its own (a NAT backend, a destination): `ip:port`,
    /// `[v6]:port`, or `other`.
    public func text(of endpoint: RemoteEndpoint) -> String {
        endpoint == .other ? "other" : endpoint.address.description(withPort: endpoint.port)
    }
}
