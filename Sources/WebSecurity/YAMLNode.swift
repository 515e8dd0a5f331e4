import CYAML

/// A YAML document's node tree as the system's libyaml loads it (the parser Yams wraps),
/// without Foundation. Aliases are expanded, within bounds, so a hostile file cannot make
/// a cycle or an exponential tree out of them.
indirect enum YAMLNode: Sendable {
    case scalar(String, plain: Bool)
    case sequence([YAMLNode])
    case mapping([(key: YAMLNode, value: YAMLNode)])

    /// Nodes at most once aliases are expanded, and the deepest nesting.
    static let maxNodes = 10_000
    static let maxDepth = 64

    /// The first document of `text`, or nil when it is empty.
    static func load(_ text: String) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw YAMLError(description: "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        var document = yaml_document_t()
        let loaded = bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return yaml_parser_load(&parser, &document)
        }
        guard loaded == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "malformed"
            throw YAMLError(description: "not valid YAML: \(problem) (line \(parser.problem_mark.line + 1))")
        }
        defer { yaml_document_delete(&document) }
        guard let root = yaml_document_get_root_node(&document) else { return nil }
        var budget = maxNodes
        return try convert(root, in: &document, depth: 0, budget: &budget)
    }

    private static func convert(_ node: UnsafeMutablePointer<yaml_node_t>, in document: inout yaml_document_t,
                                depth: Int, budget: inout Int) throws(YAMLError) -> YAMLNode {
        budget -= 1
        guard budget >= 0, depth < maxDepth else { throw YAMLError(description: "too many nodes or too deep once aliases are expanded") }
        func child(_ index: Int32) throws(YAMLError) -> YAMLNode {
            guard let node = yaml_document_get_node(&document, index) else { throw YAMLError(description: "dangling node") }
            return try convert(node, in: &document, depth: depth + 1, budget: &budget)
        }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            return .scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = node.pointee.data.sequence.items.start
            while let current = item, current != node.pointee.data.sequence.items.top {
                items.append(try child(current.pointee))
                item = current + 1
            }
            return .sequence(items)
        case YAML_MAPPING_NODE:
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var pair = node.pointee.data.mapping.pairs.start
            while let current = pair, current != node.pointee.data.mapping.pairs.top {
                pairs.append((try child(current.pointee.key), try child(current.pointee.value)))
                pair = current + 1
            }
            return .mapping(pairs)
        default:
            throw YAMLError(description: "empty node")
        }
    }

    var string: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }

    /// A plain scalar that YAML reads as null: nothing, `~` or `null`.
    var isNull: Bool {
        if case .scalar(let text, plain: true) = self { return ["", "~", "null", "Null", "NULL"].contains(text) }
        return false
    }

    /// A plain scalar YAML reads as a boolean (YAML 1.1's words too, as exporter-toolkit's parser reads them).
    var bool: Bool? {
        guard case .scalar(let text, plain: true) = self else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

/// A YAML text libyaml could not load, or one past the bounds on aliases.
struct YAMLError: Error, CustomStringConvertible {
    let description: String
}
