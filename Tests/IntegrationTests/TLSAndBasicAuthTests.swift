import Foundation
import Glibc
import IntegrationSupport
import Testing

/// `--web.config.file` against real clients (curl, openssl s_client) in test namespaces:
/// TLS, basic auth, client certificates, versions, rotation and reloads.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct TLSAndBasicAuthTests {
    private func curl(_ namespace: TestNamespace, _ options: [String], url: String = "https://127.0.0.1:9318/metrics")
        throws -> (status: Int32, output: String) {
        let result = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "curl", "-sS", "--max-time", "10",
                                             "-o", "/dev/null", "-D", "-"] + options + [url])
        return (result.status, result.output + result.error)
    }

    @Test func basicAuthOverTLS() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(tls: ["cert_file: server.crt", "key_file: server.key", "min_version: TLS12"],
                               users: ["prometheus": "right"],
                               extra: "http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.config.file", tls.webConfig],
                                           scheme: "https", curlOptions: tls.curlOptions(user: "prometheus", password: "right"))

        let right = try curl(namespace, tls.curlOptions(user: "prometheus", password: "right"))
        #expect(right.output.hasPrefix("HTTP/1.1 200"))
        #expect(right.output.lowercased().contains("x-frame-options: deny"))
        for wrong in [tls.curlOptions(user: "prometheus", password: "wrong"), tls.curlOptions(user: "nobody", password: "right"),
                      tls.curlOptions()] {
            let denied = try curl(namespace, wrong)
            #expect(denied.output.hasPrefix("HTTP/1.1 401"), "\(denied.output)")
            #expect(denied.output.lowercased().contains("www-authenticate: basic"))
        }
        // Plain HTTP to the TLS port gets no HTTP answer.
        let plain = try curl(namespace, [], url: "http://127.0.0.1:9318/metrics")
        #expect(plain.status != 0 && !plain.output.contains("HTTP/1.1 200"))
        // min_version TLS12: a TLS 1.1 client is refused (its own security level lowered so the refusal is the server's).
        let old = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "openssl", "s_client", "-connect", "127.0.0.1:9318",
                                          "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", tls.path("ca.crt")])
        #expect(old.status != 0)
        let current = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "openssl", "s_client", "-connect", "127.0.0.1:9318",
                                              "-tls1_2", "-CAfile", tls.path("ca.crt")])
        #expect(current.status == 0 && current.output.contains("Verify return code: 0 (ok)"))
        withExtendedLifetime(exporter) {}
    }

    @Test func clientCertificateRequiredWhenConfigured() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(tls: ["cert_file: server.crt", "key_file: server.key",
                                     "client_auth_type: RequireAndVerifyClientCert", "client_ca_file: ca.crt"])
        let withCertificate = tls.curlOptions() + ["--cert", tls.path("client.crt"), "--key", tls.path("client.key")]
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.config.file", tls.webConfig],
                                           scheme: "https", curlOptions: withCertificate)
        #expect(try curl(namespace, withCertificate).output.hasPrefix("HTTP/1.1 200"))
        let without = try curl(namespace, tls.curlOptions())
        #expect(without.status != 0 && !without.output.contains("HTTP/1.1 200"))
        withExtendedLifetime(exporter) {}
    }

    @Test func rotatedCertificateAndReloads() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(tls: ["cert_file: server.crt", "key_file: server.key"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.config.file", tls.webConfig],
                                           scheme: "https", curlOptions: tls.curlOptions())
        #expect(try !tls.presentedSubject(namespace: namespace, port: 9318).contains("rotated"))

        // Rotation as cert-manager or certbot do it: new files renamed over the old ones, no signal.
        for (from, to) in [("rotated.key", "server.key"), ("rotated.crt", "server.crt")] {
            try run(["cp", tls.path(from), tls.path("\(to).new")])
            try run(["mv", tls.path("\(to).new"), tls.path(to)])
        }
        #expect(try tls.presentedSubject(namespace: namespace, port: 9318).contains("rotated"))

        // A broken file at SIGHUP keeps the config in force and says why.
        try "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14\n"
            .write(toFile: tls.webConfig, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(exporter.process.isRunning)
        #expect(try curl(namespace, tls.curlOptions()).output.hasPrefix("HTTP/1.1 200"))
        let stopped = exporter.stop()
        #expect(stopped.status == 0)
        #expect(stopped.log.contains("web config not reloaded"))
        #expect(stopped.log.contains("tls_server_config.min_version"))
    }

    @Test func aBadFileFailsStartupNamingTheKey() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(tls: ["cert_file: server.crt", "key_file: server.key", "client_auth_type: Sometimes"])
        let result = try runAllowingFailure(["ip", "netns", "exec", namespace.name, IntegrationEnvironment.executable("conntrack_exporter"),
                                             "--web.listen-address", "127.0.0.1:9318", "--web.config.file", tls.webConfig])
        #expect(result.status == 1)
        #expect(result.error.contains("tls_server_config.client_auth_type"), "\(result.error)")
    }
}
