/// A host's name, and where it came from.
public struct HostName: Sendable, Equatable {
    /// Where names come from, in the order they take precedence.
    public enum Source: String, Sendable, CaseIterable {
        /// `--names.file`: what the operator wrote.
        case file
        /// Reverse DNS, forward-confirmed unless `--names.dns-unverified`.
        case dns
    }

    public let name: String
    public let source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }
}

/// What gives hosts their names. Asked whenever a host is rendered, so it answers from memory
/// and never waits (lookups happen elsewhere, later).
public protocol HostNaming: Sendable {
    /// The name of `host` known now, nil when none is.
    func name(of host: HostKey) -> HostName?
}
