import TextFormatting

/// A parsed HTTP/1.x request head. The exporter never reads request bodies.
public struct HTTPRequest: Equatable, Sendable {
    public let method: String
    /// The request target's path, without the query string.
    public let path: String
    /// What follows `?` in the target, undecoded; nil without a `?`.
    public let query: String?
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    public let minorVersion: Int
    /// Header fields in order, names lower-cased.
    public let headers: [HeaderField]

    public struct HeaderField: Equatable, Sendable {
        public let name: String
        public let value: String
    }

    public init(method: String, path: String, query: String? = nil, minorVersion: Int, headers: [HeaderField]) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// The first value of a header (name in any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// Every value of a header, in order (name in any case).
    public func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name == lowered }.map(\.value)
    }

    /// Whether the client asked to keep the connection open after the response.
    public var keepAlive: Bool {
        let tokens = (header("connection") ?? "").lowercased().split(separator: ",").map { $0.trimmingSpaces() }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// Whether `Accept-Encoding` allows gzip (`gzip`, `x-gzip` or `*`, with a q-value above 0).
    public var acceptsGzip: Bool {
        guard let header = header("accept-encoding") else { return false }
        return header.lowercased().split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingSpaces() }
            guard let coding = parts.first, ["gzip", "x-gzip", "*"].contains(coding) else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }

    /// Whether the request announces a body, which the exporter does not read.
    public var hasBody: Bool {
        if header("transfer-encoding") != nil { return true }
        return (header("content-length").flatMap { Int($0) } ?? 0) > 0
    }
}
