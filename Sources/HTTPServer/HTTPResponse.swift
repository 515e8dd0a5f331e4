/// An HTTP response: status, extra header fields and body.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var contentType: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus, contentType: String = "text/plain; charset=utf-8",
                headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A plain-text response whose body is the status line's reason, for errors.
    public static func error(_ status: HTTPStatus, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array("\(status.rawValue) \(status.reason)\n".utf8))
    }

    /// `503` (or `429`) with `Retry-After`: a bound was reached, the client may try again soon.
    public static func retryLater(_ status: HTTPStatus = .serviceUnavailable, seconds: Int = 1,
                                  reason: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Retry-After", "\(seconds)")],
                     body: Array("\(status.rawValue) \(status.reason): \(reason)\n".utf8))
    }

    /// The status line and header fields, ending with the empty line.
    /// `Content-Length` is the body's length even when the body is not sent (HEAD).
    public func head(closing: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status.rawValue) \(status.reason)\r\n"
        text += "Date: \(HTTPDate.now())\r\n"
        text += "Content-Type: \(contentType)\r\n"
        text += "Content-Length: \(body.count)\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        if closing { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
