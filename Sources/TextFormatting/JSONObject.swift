/// Builds one JSON object's text field by field: the curl views' `?format=json` and the
/// event log's JSON lines.
public struct JSONObject {
    private var fields: [String] = []

    public init() {}

    public mutating func add(_ name: String, _ value: String?) {
        fields.append("\(JSONString.literal(name)):\(value.map(JSONString.literal) ?? "null")")
    }

    public mutating func add(_ name: String, _ value: (some BinaryInteger)?) {
        fields.append("\(JSONString.literal(name)):\(value.map { "\($0)" } ?? "null")")
    }

    /// `value` is JSON text already (an object, an array or a number).
    public mutating func add(_ name: String, raw value: String) {
        fields.append("\(JSONString.literal(name)):\(value)")
    }

    public var text: String { "{" + fields.joined(separator: ",") + "}" }

    public static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }
}
