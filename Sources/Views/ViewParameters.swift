/// The query string of a curl view (`?host=…&limit=…`), checked strictly: every name must
/// be one the view knows and appear once, values are percent-decoded.
struct ViewParameters {
    private var values: [String: String] = [:]

    init(parsing query: String?, allowed: Set<String>) throws(ViewQueryError) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw ViewQueryError("malformed query parameter \"\(pair)\": expected name=value")
            }
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts[1]) else {
                throw ViewQueryError("query parameter \"\(pair)\" is not valid percent-encoded UTF-8")
            }
            guard allowed.contains(name) else {
                throw ViewQueryError("unknown query parameter \"\(name)\"; this view knows \(allowed.sorted().joined(separator: ", "))")
            }
            guard values.updateValue(value, forKey: name) == nil else {
                throw ViewQueryError("query parameter \"\(name)\" given more than once")
            }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// `limit`: 1 to `maximum`, `byDefault` when absent.
    func limit(byDefault: Int, maximum: Int) throws(ViewQueryError) -> Int {
        guard let text = values["limit"] else { return byDefault }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw ViewQueryError("limit must be a whole number from 1 to \(maximum), not \"\(text)\"")
        }
        return limit
    }

    /// `format`: text (the default) or json.
    func format() throws(ViewQueryError) -> ViewFormat {
        guard let text = values["format"] else { return .text }
        guard let format = ViewFormat(rawValue: text) else {
            throw ViewQueryError("format must be text or json, not \"\(text)\"")
        }
        return format
    }

    /// `host`: a host label value or a bare address, or with `names` a host's name; nil when absent.
    func host(names: Bool) throws(ViewQueryError) -> HostFilter? {
        guard let text = values["host"] else { return nil }
        guard let filter = HostFilter(text, names: names) else {
            throw ViewQueryError("host must be an address\(names ? ", a host's name" : "") or a host label such as 198.18.0.7:5432 or [2001:db8::7]:443, not \"\(text)\"")
        }
        return filter
    }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// How a curl view is printed.
public enum ViewFormat: String, Sendable {
    /// Aligned columns for a terminal.
    case text
    case json
}

/// Why a view's query string was refused; the message goes back with `400`.
public struct ViewQueryError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
