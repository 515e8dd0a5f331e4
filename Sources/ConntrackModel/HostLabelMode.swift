/// What the `host` label carries (`--host-label`).
public enum HostLabelMode: String, Sendable, CaseIterable {
    /// `ip:port` (`[v6]:port`): the remote address and the server-side port.
    case endpoint = "ip-port"
    /// `ip` only: one series per remote address, for busy servers.
    case address = "ip"
    /// The host's name and the server-side port, once known (`--names.*`); its address until then.
    case name
}
