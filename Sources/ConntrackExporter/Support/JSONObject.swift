/// Builds one JSON object's text field by field: the curl views' `?format=json` and the
/// event log's JSON lines.
struct JSONObject {
    private var fields: [String] = []

    mutating func add(_ name: String, _ value: String?) {
        fields.append("\(LineLogHandler.jsonString(name)):\(value.map(LineLogHandler.jsonString) ?? "null")")
    }

    mutating func add(_ name: String, _ value: (some BinaryInteger)?) {
        fields.append("\(LineLogHandler.jsonString(name)):\(value.map { "\($0)" } ?? "null")")
    }

    /// `value` is JSON text already (an object or an array).
    mutating func add(_ name: String, raw value: String) {
        fields.append("\(LineLogHandler.jsonString(name)):\(value)")
    }

    var text: String { "{" + fields.joined(separator: ",") + "}" }

    static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }
}
