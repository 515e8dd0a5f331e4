import COpenSSL

/// A TLS version as exporter-toolkit's `min_version`/`max_version` spell it.
public enum TLSVersion: String, CaseIterable, Sendable, Comparable {
    case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

    var openSSLValue: Int32 {
        switch self {
        case .tls10: TLS1_VERSION
        case .tls11: TLS1_1_VERSION
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.openSSLValue < rhs.openSSLValue
    }
}

/// exporter-toolkit's `client_auth_type` values.
public enum ClientAuthType: String, CaseIterable, Sendable {
    case noClientCert = "NoClientCert"
    case requestClientCert = "RequestClientCert"
    case requireAnyClientCert = "RequireAnyClientCert"
    case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
    case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

    /// Whether certificates are checked against `client_ca_file`.
    var verifies: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
}
