/// What `GET /hosts` asks for: a host filter, how many hosts, and the format.
public struct HostsQuery: Sendable {
    public static let defaultLimit = 100
    public static let maximumLimit = 10_000

    public var host: HostFilter?
    public var limit = Self.defaultLimit
    public var format = ViewFormat.text

    /// Parses `host`, `limit` and `format`.
    public init(parsing query: String?) throws(ViewQueryError) {
        let parameters = try ViewParameters(parsing: query, allowed: ["host", "limit", "format"])
        host = try parameters.host()
        limit = try parameters.limit(byDefault: Self.defaultLimit, maximum: Self.maximumLimit)
        format = try parameters.format()
    }
}
