import Glibc
import LinuxSystem

/// The `--web.config.file` settings, in Prometheus exporter-toolkit's format: TLS,
/// extra response headers and basic-auth users with bcrypt hashes.
public struct WebConfig: Sendable, Equatable {
    /// `tls_server_config`; nil serves plain HTTP.
    public struct TLS: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuthType = .noClientCert
        public var clientCAFile: String?
        public var minVersion: TLSVersion = .tls12
        public var maxVersion: TLSVersion = .tls13
        /// IANA names; nil keeps OpenSSL's defaults. They apply up to TLS 1.2, as in Go.
        public var cipherSuites: [String]?
        /// OpenSSL group names, from exporter-toolkit's curve names.
        public var groups: [String]?
        public var preferServerCipherSuites = true
    }

    public var tls: TLS?
    /// `http_server_config.headers`, added to every response.
    public var headers: [String: String] = [:]
    /// `basic_auth_users`: user name to bcrypt hash. Empty: no authentication.
    public var users: [String: String] = [:]

    /// Headers exporter-toolkit allows, with the only values it accepts where it restricts them.
    static let allowedHeaders: [String: [String]?] = [
        "Strict-Transport-Security": nil, "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"], "X-XSS-Protection": nil, "Content-Security-Policy": nil,
    ]
    /// exporter-toolkit's curve names and OpenSSL's.
    static let curves = ["CurveP256": "P-256", "CurveP384": "P-384", "CurveP521": "P-521", "X25519": "X25519"]

    public init(tls: TLS? = nil, headers: [String: String] = [:], users: [String: String] = [:]) {
        self.tls = tls
        self.headers = headers
        self.users = users
    }

    /// Reads and checks `path`, whole; file names inside are relative to its folder. With
    /// `requireSettings` (a reload), a file without any document is refused.
    public static func load(path: String, requireSettings: Bool = false) throws(WebConfigError) -> WebConfig {
        let text: String
        do {
            text = try FileContents.read(path)
        } catch {
            throw WebConfigError(file: path, key: "", reason: String(cString: strerror(error.errno)))
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        return try WebConfigParser(file: path, folder: folder).parse(text, requireSettings: requireSettings)
    }
}
