/// What `GET /hosts` asks for: a host filter, how many hosts, and the format.
public struct HostsQuery: Sendable {
    public static let defaultLimit = 100
    public static let maximumLimit = 10_000

    public var host: HostFilter?
    public var limit = Self.defaultLimit
    public var format = ViewFormat.text
    /// `sort=bytes`: the hosts with the most traffic first, instead of the most connections.
    public var sortsByBytes = false

    /// Parses `host`, `limit`, `sort` (`connections`, the default, or `bytes`) and `format`.
    /// With `names`, `host=` may be a host's name.
    public init(parsing query: String?, names: Bool = false) throws(ViewQueryError) {
        let parameters = try ViewParameters(parsing: query, allowed: ["host", "limit", "sort", "format"])
        host = try parameters.host(names: names)
        switch parameters["sort"] {
        case nil, "connections": sortsByBytes = false
        case "bytes": sortsByBytes = true
        case let other?: throw ViewQueryError("sort must be connections or bytes, not \"\(other)\"")
        }
        limit = try parameters.limit(byDefault: Self.defaultLimit, maximum: Self.maximumLimit)
        format = try parameters.format()
    }
}
