import ConntrackAggregation
import ConntrackKernel
import HTTPServer
import LinuxSystem
import Views

/// The curl views' handlers, `GET /connections` and `GET /hosts`: what the table holds right
/// now, for a person debugging. Each request shares a table read with concurrent scrapes.
public struct DiagnosticViews: Sendable {
    public static let connectionsPath = "/connections"
    public static let hostsPath = "/hosts"

    private let coalescer: ScrapeCoalescer
    private let lifecycle: @Sendable () -> LifecycleCounters
    private let renderer: HostRenderer

    /// `lifecycle` gives the event counters' current values, for `/hosts`.
    public init(coalescer: ScrapeCoalescer, lifecycle: @escaping @Sendable () -> LifecycleCounters,
                renderer: HostRenderer = HostRenderer()) {
        self.coalescer = coalescer
        self.lifecycle = lifecycle
        self.renderer = renderer
    }

    /// The views' routes, with the landing page's descriptions.
    var routes: [RouteTable.Route] {
        [
            RouteTable.Route(Self.connectionsPath, link: RouteTable.Link(
                "Connections", note: "idle longest first; ?host=, ?state=, ?idle_min=, ?limit=, ?format=json"), handler: connections),
            RouteTable.Route(Self.hostsPath, link: RouteTable.Link("Hosts", note: "busiest first; ?host=, ?limit=, ?format=json"),
                             handler: hosts),
        ]
    }

    public func connections(_ request: HTTPRequest, responder: Responder) {
        guard let query = Self.parse(responder, { () throws(ViewQueryError) in try ConnectionQuery(parsing: request.query, names: renderer.hasNames) })
        else { return }
        let listing = ConnectionListing(query, renderer: renderer)
        responder.onCancel { listing.abandon() }
        let accepted = coalescer.read(observer: listing, rows: listing.maximumRows, responder: responder) { [renderer] read in
            guard case .success = read else { return responder.respond(Self.readFailed(read)) }
            let view = ConnectionsView(listing: listing, renderer: renderer)
            responder.respond(Self.response(query.format == .json ? view.json : view.text, query.format))
        }
        if !accepted {
            responder.respond(.retryLater(reason: "too many /connections requests are waiting; try again, or lower ?limit="))
        }
    }

    public func hosts(_ request: HTTPRequest, responder: Responder) {
        guard let query = Self.parse(responder, { () throws(ViewQueryError) in try HostsQuery(parsing: request.query, names: renderer.hasNames) })
        else { return }
        _ = coalescer.read(observer: nil, responder: responder) { [lifecycle, renderer] read in
            guard case .success(let read) = read else { return responder.respond(Self.readFailed(read)) }
            let view = HostsView(table: read.table, lifecycle: lifecycle(), query: query, renderer: renderer,
                                 accounting: AccountingSetting.isEnabled(), nat: read.nat)
            responder.respond(Self.response(query.format == .json ? view.json : view.text, query.format))
        }
    }

    private static func response(_ text: String, _ format: ViewFormat) -> HTTPResponse {
        HTTPResponse(status: .ok, contentType: format == .json ? "application/json" : "text/plain; charset=utf-8",
                     body: Array(text.utf8))
    }

    /// The parsed query, or nil having answered `400` with the reason.
    private static func parse<Query>(_ responder: Responder, _ parse: () throws(ViewQueryError) -> Query) -> Query? {
        do {
            return try parse()
        } catch {
            responder.respond(HTTPResponse(status: .badRequest, body: Array("400 Bad Request: \(error)\n".utf8)))
            return nil
        }
    }

    private static func readFailed(_ read: Result<TableRead, SystemError>) -> HTTPResponse {
        let reason = if case .failure(let error) = read { "\(error)" } else { "no read" }
        return HTTPResponse(status: .serviceUnavailable,
                            body: Array("503 Service Unavailable: reading the conntrack table failed: \(reason)\n".utf8))
    }
}
