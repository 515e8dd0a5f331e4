import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer
@testable import WebSecurity

@Suite struct WebConfigTests {
    /// A bcrypt hash of "s3cret" (htpasswd -nbBC 10).
    static let hash = "$2y$10$SHrW9LKboRFiLS17EiUkFO4m8Y9RHE/qxNpaydj/5e7R3EbZwmpgC"

    private func parse(_ yaml: String) throws(WebConfigError) -> WebConfig {
        try WebConfigParser(file: "web.yml", folder: "/etc/x").parse(yaml)
    }

    @Test func readsEveryKeyExporterToolkitDefines() throws {
        let config = try parse("""
            tls_server_config:
              cert_file: server.crt
              key_file: /keys/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              min_version: TLS13
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: false
            http_server_config:
              headers:
                Strict-Transport-Security: max-age=31536000
                x-frame-options: deny
            basic_auth_users:
              prometheus: "\(Self.hash)"
            """)
        let tls = try #require(config.tls)
        #expect(tls.certFile == "/etc/x/server.crt")
        #expect(tls.keyFile == "/keys/server.key")
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.minVersion == .tls13)
        #expect(tls.cipherSuites == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
        #expect(tls.groups == ["X25519", "P-256"])
        #expect(!tls.preferServerCipherSuites)
        #expect(config.headers == ["Strict-Transport-Security": "max-age=31536000", "X-Frame-Options": "deny"])
        #expect(config.users == ["prometheus": Self.hash])
    }

    @Test func anEmptyFileServesPlainHTTPWithoutAuth() throws {
        #expect(try parse("") == WebConfig())
        #expect(try parse("tls_server_config:\nbasic_auth_users:\n") == WebConfig())
    }

    @Test(arguments: [
        ("tls_config:\n  cert_file: a\n", "tls_config"),
        ("tls_server_config:\n  cert_file: a\n", "tls_server_config.key_file"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n", "tls_server_config.min_version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n", "tls_server_config.min_version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", "tls_server_config.client_auth_type"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n", "tls_server_config.client_ca_file"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n", "tls_server_config.curve_preferences"),
        ("http_server_config:\n  headers:\n    Server: me\n", "http_server_config.headers.Server"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "http_server_config.headers.X-Frame-Options"),
        ("http_server_config:\n  http2: true\n", "http_server_config.http2"),
        ("basic_auth_users:\n  alice: plaintext\n", "basic_auth_users.alice"),
        ("basic_auth_users: [alice]\n", "basic_auth_users"),
    ])
    func namesTheKeyAtFault(yaml: String, key: String) {
        #expect(throws: WebConfigError.self) { try parse(yaml) }
        do {
            _ = try parse(yaml)
        } catch {
            #expect(error.key == key, "\(error)")
        }
    }

    @Test func basicAuthChecksWithBcrypt() throws {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.hash])
        func verdict(_ header: String?) -> Bool {
            let result = Mutex<Bool?>(nil)
            authenticator.authorize(header, responder: Responder { _ in }) { verdict in result.withLock { $0 = verdict == .granted } }
            while result.withLock({ $0 == nil }) { usleep(1000) }
            return result.withLock { $0! }
        }
        let right = "Basic " + Data("prometheus:s3cret".utf8).base64EncodedString()
        #expect(verdict(right))
        #expect(!verdict("Basic " + Data("prometheus:wrong".utf8).base64EncodedString()))
        #expect(!verdict("Basic " + Data("alice:s3cret".utf8).base64EncodedString()))
        #expect(!verdict(nil))
        #expect(!verdict("Bearer x"))
        // Answered again from the cache.
        #expect(verdict(right))
    }

    /// The cheapest bcrypt cost (4), so the test can afford many checks.
    static let cheapHash = "$2y$04$CO8cG5GaKO0/zk7cirWBV.xtm/wi1cikZJ2UYQa06DplLbfUmS6Y6"

    @Test func wrongPasswordsCannotEvictACachedSuccess() throws {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.cheapHash])
        func check(_ password: String) -> (granted: Bool, cached: Bool) {
            let result = Mutex<(granted: Bool, onCallingThread: Bool)?>(nil)
            let caller = UInt(bitPattern: Int(pthread_self()))
            authenticator.authorize("Basic " + Data("prometheus:\(password)".utf8).base64EncodedString(),
                                    responder: Responder { _ in }) { verdict in
                let here = UInt(bitPattern: Int(pthread_self()))
                result.withLock { $0 = (verdict == .granted, here == caller) }
            }
            // A cached verdict is given on the calling thread; a computed one on the bcrypt queue's.
            while result.withLock({ $0 == nil }) { usleep(100) }
            let verdict = result.withLock { $0! }
            return (verdict.granted, verdict.onCallingThread)
        }
        #expect(check("s3cret") == (true, false))
        #expect(check("s3cret") == (true, true))
        for attempt in 0..<(BasicAuthenticator.cacheSize * 2) { #expect(!check("wrong-\(attempt)").granted) }
        #expect(check("s3cret") == (true, true))
    }

    /// libyaml expands aliases into the tree: a cycle or an exponential expansion must be an
    /// error, never a hang or a blow-up.
    @Test(arguments: [
        "basic_auth_users: &a [*a]\n",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        "tls_server_config: [unclosed\n",
        "basic_auth_users:\n  alice: \"a\n",
    ])
    func hostileOrMalformedYAMLIsAnError(yaml: String) {
        #expect(throws: WebConfigError.self) { try parse(yaml) }
    }

    @Test func readsYAMLScalarsAsExporterToolkitDoes() throws {
        #expect(try YAMLNode.load("yes")?.bool == true)
        #expect(try YAMLNode.load("Off")?.bool == false)
        #expect(try YAMLNode.load("'true'")?.bool == nil)
        #expect(try YAMLNode.load("~")?.isNull == true)
        #expect(try YAMLNode.load("") == nil)
        let config = try parse("tls_server_config:\n  cert_file: &c server.crt\n  key_file: *c\n  prefer_server_cipher_suites: no\n")
        #expect(config.tls?.keyFile == "/etc/x/server.crt")
        #expect(config.tls?.preferServerCipherSuites == false)
    }

    @Test(arguments: [("cHJvbWV0aGV1czpzM2NyZXQ=", "prometheus:s3cret"), ("YQ==", "a"), ("YWI=", "ab"), ("", "")])
    func decodesBase64(encoded: String, decoded: String) {
        #expect(Base64.decode(encoded) == Array(decoded.utf8))
    }

    @Test(arguments: ["YQ=", "Y===", "YQ==YQ==", "YQ!=", "cHJvbWV0aGV1c"])
    func rejectsMalformedBase64(encoded: String) {
        #expect(Base64.decode(encoded) == nil)
    }

    /// A bcrypt hash of "s3cret" at cost 12.
    static let costlyHash = "$2y$12$QgGINcN39z1SQhCliNe0JOKfdIFiPaRtq/7d7iPgJ7q1LIGm.24Na"

    @Test func unknownUsersAreCheckedAtTheUsersOwnCost() {
        #expect(BasicAuthenticator(users: ["prometheus": Self.costlyHash]).standInHash.hasPrefix("$2b$12$"))
        #expect(BasicAuthenticator(users: ["a": Self.cheapHash, "b": Self.hash]).standInHash.hasPrefix("$2b$10$"))
    }

    /// Calls `authorize` for each credential at once; returns the verdicts once all came.
    private func verdicts(_ authenticator: BasicAuthenticator, _ credentials: [String],
                          cancelling cancelled: Set<Int> = []) -> [BasicAuthenticator.Verdict] {
        let results = Mutex([Int: BasicAuthenticator.Verdict]())
        for (index, credential) in credentials.enumerated() {
            let responder = Responder { _ in }
            authenticator.authorize("Basic " + Data(credential.utf8).base64EncodedString(), responder: responder) { verdict in
                results.withLock { $0[index] = verdict }
            }
            if cancelled.contains(index) { responder.cancel() }
        }
        let expected = credentials.count - cancelled.count
        while results.withLock({ $0.count }) < expected || authenticator.pendingChecks > 0 { usleep(1000) }
        return results.withLock { results in credentials.indices.compactMap { results[$0] } }
    }

    @Test func checksWaitingAreBoundedAndTheSameCredentialsShareOne() {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.hash])
        let distinct = verdicts(authenticator, (0..<20).map { "prometheus:wrong-\($0)" })
        #expect(distinct.filter { $0 == .busy }.count == 20 - BasicAuthenticator.maxPendingChecks)
        #expect(authenticator.checksRun == BasicAuthenticator.maxPendingChecks)
        let same = verdicts(authenticator, Array(repeating: "prometheus:s3cret", count: 10))
        #expect(same.allSatisfy { $0 == .granted })
        #expect(authenticator.checksRun == BasicAuthenticator.maxPendingChecks + 1)
    }

    @Test func aCheckWhoseClientsAllLeftIsNeverRun() {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.hash])
        // The first check occupies the bcrypt thread while the second client leaves.
        _ = verdicts(authenticator, ["prometheus:first", "prometheus:second"], cancelling: [1])
        #expect(authenticator.checksRun == 1)
    }

    @Test func theVerdictCacheHoldsNoPassword() {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.cheapHash])
        _ = verdicts(authenticator, ["prometheus:s3cret", "prometheus:hunter2"])
        let cache = authenticator.cacheContents
        #expect(cache.count == 2 && !cache.contains { $0.contains("hunter2") || $0.contains("s3cret") })
    }
}
