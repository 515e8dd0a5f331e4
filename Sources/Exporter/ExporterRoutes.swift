import Collectors
import Exposition
import HTTPServer

/// The exporter's URL space, as a route table: the telemetry path, the curl views unless
/// switched off, and a landing page at `/` whose links come from the table itself.
public struct ExporterRoutes: Sendable {
    public let telemetryPath: String
    public let table: RouteTable

    public init(telemetryPath: String, coalescer: ScrapeCoalescer, views: DiagnosticViews?) {
        self.telemetryPath = telemetryPath
        let metrics = RouteTable.Route(telemetryPath, link: RouteTable.Link("Metrics")) { request, responder in
            let format = ExpositionFormat.negotiated(accept: request.header("accept"))
            coalescer.scrape(format: format, gzip: request.acceptsGzip, responder: responder) { body in
                let gzip = request.acceptsGzip ? body.gzip : nil
                var headers = [(name: "Vary", value: "Accept, Accept-Encoding")]
                if gzip != nil { headers.append(("Content-Encoding", "gzip")) }
                responder.respond(HTTPResponse(status: .ok, contentType: body.format.contentType, headers: headers,
                                               body: gzip ?? body.plain))
            }
        }
        let routes = [metrics] + (views?.routes ?? [])
        let page = Array(Self.landingPage(links: routes.compactMap { route in route.link.map { (route.path, $0) } }).utf8)
        // The landing page last: a telemetry path of "/" keeps the metrics.
        table = RouteTable([RouteTable.Route("/") { _, responder in
            responder.respond(HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: page))
        }] + routes)
    }

    public func handle(_ request: HTTPRequest, responder: Responder) {
        table.handle(request, responder: responder)
    }

    private static func landingPage(links: [(path: String, link: RouteTable.Link)]) -> String {
        let items = links.map { path, link in
            "<p><a href=\"\(escape(path))\">\(escape(link.title))</a>\(link.note.map { " (\(escape($0)))" } ?? "")</p>"
        }
        return """
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>conntrack_exporter</title></head>
        <body>
        <h1>conntrack_exporter</h1>
        <p>Version \(BuildInfo.version) (revision \(BuildInfo.revision))</p>
        \(items.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    private static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;")
    }
}
