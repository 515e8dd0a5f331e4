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

    public func handle(_ request: HTTPRequest, responder: Responder) {
        let setup = store.current
        let headers = setup.responseHeaders
        let responder = headers.isEmpty ? responder : responder.map { response in
            var response = response
            response.headers += headers
            return response
        }
        guard let authenticator = setup.authenticator else { return next(request, responder) }
        authenticator.authorize(request.header("authorization"), responder: responder) { [next] verdict in
            switch verdict {
            case .granted:
                next(request, responder)
            case .denied:
                responder.respond(.error(.unauthorized, headers: [("WWW-Authenticate", "Basic realm=\"conntrack_exporter\", charset=\"UTF-8\"")]))
            case .busy:
                responder.respond(.retryLater(.tooManyRequests, reason: "too many password checks are waiting"))
            }
        }
    }
}
