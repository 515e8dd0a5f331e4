/// The server's URL space as a table: each path with its handler, the methods it takes and,
/// optionally, a line for a landing page. HEAD is served wherever GET is (the server drops
/// the body), another method is `405` with `Allow`, an unknown path `404`.
public struct RouteTable: Sendable {
    public struct Route: Sendable {
        public let path: String
        /// GET implies HEAD.
        public let methods: [String]
        /// How a landing page links to this route; nil lists it nowhere.
        public let link: Link?
        public let handler: HTTPServer.Handler

        public init(_ path: String, methods: [String] = ["GET"], link: Link? = nil,
                    handler: @escaping HTTPServer.Handler) {
            self.path = path
            self.methods = methods
            self.link = link
            self.handler = handler
        }

        /// The methods as `Allow` lists them.
        var allowed: [String] { methods.contains("GET") && !methods.contains("HEAD") ? methods + ["HEAD"] : methods }
    }

    /// A landing page's link: its text, and a note on what the route takes.
    public struct Link: Sendable {
        public let title: String
        public let note: String?

        public init(_ title: String, note: String? = nil) {
            self.title = title
            self.note = note
        }
    }

    public let routes: [Route]
    private let byPath: [String: Route]

    /// Later routes with the path of an earlier one replace it.
    public init(_ routes: [Route]) {
        self.routes = routes
        byPath = Dictionary(routes.map { ($0.path, $0) }, uniquingKeysWith: { $1 })
    }

    /// The routes a landing page links to, in order.
    public var links: [Route] { routes.filter { $0.link != nil } }

    public func handle(_ request: HTTPRequest, responder: Responder) {
        guard let route = byPath[request.path] else { return responder.respond(.error(.notFound)) }
        guard route.allowed.contains(request.method) else {
            return responder.respond(.error(.methodNotAllowed, headers: [("Allow", route.allowed.joined(separator: ", "))]))
        }
        route.handler(request, responder)
    }
}
