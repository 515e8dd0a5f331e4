import ConntrackModel

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

    public init() {}

    /// Appends the value of label `index` (of ``labelNames``) for `host`: a scrape writes
    /// every host's labels this way, with no string built per host.
    public func appendValue(_ index: Int, of host: HostKey, to bytes: inout [UInt8]) {
        host.appendText(to: &bytes)
    }

    /// The value of label `index` for `host`.
    public func value(_ index: Int, of host: HostKey) -> String {
        var bytes: [UInt8] = []
        appendValue(index, of: host, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An endpoint that is not a host of its own (a NAT backend, a destination): `ip:port`,
    /// `[v6]:port`, or `other`.
    public func text(of endpoint: RemoteEndpoint) -> String {
        endpoint == .other ? "other" : endpoint.address.description(withPort: endpoint.port)
    }

    /// Each label of `host` as a (name, value) pair, `host` first.
    public func labels(of host: HostKey) -> [(name: String, value: String)] {
        labelNames.indices.map { (labelNames[$0], value($0, of: host)) }
    }
}
