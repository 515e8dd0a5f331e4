/// A web config file that cannot be used, naming the file and the key at fault.
public struct WebConfigError: Error, Equatable, CustomStringConvertible {
    public let file: String
    /// The key's path, e.g. "tls_server_config.min_version"; empty for the file as a whole.
    public let key: String
    public let reason: String

    public var description: String {
        key.isEmpty ? "web config \(file): \(reason)" : "web config \(file): \(key): \(reason)"
    }
}
