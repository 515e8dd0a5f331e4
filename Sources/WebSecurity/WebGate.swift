import HTTPServer

/// What every request passes before the routes: basic authentication when the web config
/// has users, and the config's extra headers on every response.
public struct WebGate: Sendable {
    private let store: WebConfigStore
    private let next: HTTPServer.Handler

    public init(store: WebConfigStore, next: @escaping HTTPServer.Handler) {
        self.store = store
        self.next = next
    }

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let setup = store.current
        let headers = setup.responseHeaders
        let respondWithHeaders: @Sendable (HTTPResponse) -> Void = { response in
            var response = response
            response.headers += headers
            respond(response)
        }
        guard let authenticator = setup.authenticator else { return next(request, respondWithHeaders) }
        authenticator.authorize(request.header("authorization")) { [next] authorized in
            if authorized {
                next(request, respondWithHeaders)
            } else {
                respondWithHeaders(.error(.unauthorized, headers: [("WWW-Authenticate", "Basic realm=\"conntrack_exporter\", charset=\"UTF-8\"")]))
            }
        }
    }
}
