import Foundation

/// A folder of test certificates made with the openssl command: a CA, a server
/// certificate for 127.0.0.1 and a second one (for rotation), a client certificate, and
/// the web config file written next to them. Removed when released.
package final class TLSFixture {
    package let directory: String

    package init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cte-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                     "-keyout", path("ca.key"), "-out", path("ca.crt"), "-subj", "/CN=cte test CA"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try issue("server", subject: "/CN=127.0.0.1", extensions: path("server.ext"))
        try issue("rotated", subject: "/CN=127.0.0.1/O=rotated", extensions: path("server.ext"))
        try issue("client", subject: "/CN=scraper", extensions: nil)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    package func path(_ name: String) -> String { "\(directory)/\(name)" }

    package var webConfig: String { path("web.yml") }

    /// Writes web.yml: `tls` lines under tls_server_config (none: plain HTTP), users hashed
    /// with htpasswd (bcrypt).
    package func writeWebConfig(tls: [String] = [], users: [String: String] = [:], extra: String = "") throws {
        var text = tls.isEmpty ? "" : "tls_server_config:\n" + tls.map { "  \($0)\n" }.joined()
        if !users.isEmpty {
            text += "basic_auth_users:\n"
            for (user, password) in users.sorted(by: { $0.key < $1.key }) {
                let hash = try run(["htpasswd", "-nbBC", "10", user, password])
                    .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1)[1]
                text += "  \(user): \"\(hash)\"\n"
            }
        }
        try (text + extra).write(toFile: webConfig, atomically: true, encoding: .utf8)
    }

    /// curl options that trust the CA and, when given, send basic-auth credentials.
    package func curlOptions(user: String? = nil, password: String? = nil) -> [String] {
        ["--cacert", path("ca.crt")] + (user.map { ["-u", "\($0):\(password ?? "")"] } ?? [])
    }

    /// The subject of the certificate a TLS server at 127.0.0.1:`port` in `namespace` presents.
    package func presentedSubject(namespace: TestNamespace, port: Int) throws -> String {
        let chain = try namespace.exec(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", path("ca.crt")],
                                       input: "")
        return try run(["openssl", "x509", "-noout", "-subject"], input: chain)
    }

    private func issue(_ name: String, subject: String, extensions: String?) throws {
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                     "-CAcreateserial", "-days", "2", "-out", path("\(name).crt")] + (extensions.map { ["-extfile", $0] } ?? []))
    }

    private func openssl(_ arguments: [String]) throws {
        try run(["openssl"] + arguments)
    }
}
