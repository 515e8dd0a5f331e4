import CBuildInfo

/// The exporter's version and the git revision it was built from.
public enum BuildInfo {
    public static let version = "0.1.0"
    public static let revision = String(cString: cbi_revision())
}
