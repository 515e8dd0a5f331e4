import CTLS
import Glibc

/// An OpenSSL server context built from a `tls_server_config`. Connections keep their own
/// reference to what they were made with, so a reload can replace it at any time.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Loads the certificate, key and client CAs; throws OpenSSL's reason when it cannot.
    public init(_ tls: WebConfig.TLS) throws(TLSContextError) {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func c(_ text: String?) -> UnsafePointer<CChar>? {
            guard let text, let copy = strdup(text) else { return nil }
            owned.append(copy)
            return UnsafePointer(copy)
        }
        var settings = ctls_settings(
            cert_file: c(tls.certFile), key_file: c(tls.keyFile), client_ca_file: c(tls.clientCAFile),
            client_auth: clientAuthValue(tls.clientAuth), min_version: tls.minVersion.openSSLValue,
            max_version: tls.maxVersion.openSSLValue, cipher_suites: c(tls.cipherSuites?.joined(separator: ":")),
            groups: c(tls.groups?.joined(separator: ":")), prefer_server_ciphers: tls.preferServerCipherSuites ? 1 : 0)
        var message = [CChar](repeating: 0, count: 512)
        guard let pointer = ctls_context_new(&settings, &message, message.count) else {
            throw TLSContextError(reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.pointer = pointer
    }

    deinit {
        ctls_context_free(pointer)
    }
}

private func clientAuthValue(_ type: ClientAuthType) -> Int32 {
    let value: ctls_client_auth = switch type {
    case .noClientCert: CTLS_NO_CLIENT_CERT
    case .requestClientCert: CTLS_REQUEST_CLIENT_CERT
    case .requireAnyClientCert: CTLS_REQUIRE_ANY_CLIENT_CERT
    case .verifyClientCertIfGiven: CTLS_VERIFY_CLIENT_CERT_IF_GIVEN
    case .requireAndVerifyClientCert: CTLS_REQUIRE_AND_VERIFY_CLIENT_CERT
    }
    return Int32(value.rawValue)
}

/// OpenSSL refused the certificate, key, CA file or settings.
public struct TLSContextError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
