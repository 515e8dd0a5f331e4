/// The exporter's URL space: the telemetry path, the curl views unless switched off, a
/// landing page at `/`, 404 elsewhere.
public struct ExporterRoutes: Sendable {
    public let telemetryPath: String
    private let coalescer: ScrapeCoalescer
    private let views: DiagnosticViews?

    public init(telemetryPath: String, coalescer: ScrapeCoalescer, views: DiagnosticViews?) {
        self.telemetryPath = telemetryPath
        self.coalescer = coalescer
        self.views = views
    }

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let isRead = request.method == "GET" || request.method == "HEAD"
        switch request.path {
        case telemetryPath where isRead:
            coalescer.scrape(gzip: request.acceptsGzip) { body in
                let gzip = request.acceptsGzip ? body.gzip : nil
                var headers = [(name: "Vary", value: "Accept-Encoding")]
                if gzip != nil { headers.append(("Content-Encoding", "gzip")) }
                respond(HTTPResponse(status: .ok, contentType: ExpositionWriter.contentType, headers: headers,
                                     body: gzip ?? body.plain))
            }
        case DiagnosticViews.connectionsPath where isRead && views != nil:
            views?.connections(request, respond: respond)
        case DiagnosticViews.hostsPath where isRead && views != nil:
            views?.hosts(request, respond: respond)
        case "/" where isRead:
            respond(HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(landingPage.utf8)))
        case telemetryPath, "/",
             DiagnosticViews.connectionsPath where views != nil, DiagnosticViews.hostsPath where views != nil:
            respond(.error(.methodNotAllowed, headers: [("Allow", "GET, HEAD")]))
        default:
            respond(.error(.notFound))
        }
    }

    private var viewLinks: String {
        """
        <p><a href="\(DiagnosticViews.connectionsPath)">Connections</a> (idle longest first; \
        ?host=, ?state=, ?idle_min=, ?limit=, ?format=json) and \
        <a href="\(DiagnosticViews.hostsPath)">hosts</a> (busiest first; ?host=, ?limit=, ?format=json)</p>
        """
    }

    private var landingPage: String {
        let path = telemetryPath.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;")
        return """
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>conntrack_exporter</title></head>
        <body>
        <h1>conntrack_exporter</h1>
        <p>Version \(BuildInfo.version) (revision \(BuildInfo.revision))</p>
        <p><a href="\(path)">Metrics</a></p>
        \(views == nil ? "" : viewLinks)
        </body>
        </html>

        """
    }
}
