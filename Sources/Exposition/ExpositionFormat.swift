import TextFormatting

/// The exposition formats a scrape can be answered in, chosen from the request's `Accept`
/// header: OpenMetrics 1.0.0 for scrapers that ask for it (Prometheus does by default), the
/// Prometheus text format 0.0.4 for everyone else.
public enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    case text
    case openMetrics

    /// The `Content-Type` of a body in this format, exactly as Prometheus 3 expects it.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format `accept` (an `Accept` header's value, nil when absent) prefers: the media range
    /// with the highest quality that names a format served here, the first of equals; text when
    /// none does. OpenMetrics is served for `version=1.0.0`, `version=0.0.1` (the same text) or
    /// no version.
    public static func negotiated(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var best: (format: ExpositionFormat, quality: Double)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let media = parts.first else { continue }
            var quality = 1.0
            var version: String?
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces().filter { $0 != "\"" } }
                guard pair.count == 2 else { continue }
                if pair[0] == "q" { quality = Double(pair[1]) ?? 0 }
                if pair[0] == "version" { version = pair[1] }
            }
            let format: ExpositionFormat
            switch media {
            case "application/openmetrics-text" where version == nil || version == "1.0.0" || version == "0.0.1":
                format = .openMetrics
            case "text/plain" where version == nil || version == "0.0.4", "text/*", "*/*":
                format = .text
            default:
                continue
            }
            if quality > 0, quality > best?.quality ?? 0 { best = (format, quality) }
        }
        return best?.format ?? .text
    }
}
