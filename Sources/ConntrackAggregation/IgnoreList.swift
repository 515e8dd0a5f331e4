import ConntrackModel
import TextFormatting

/// The `--ignore-hosts` rules: connections they match are counted nowhere.
public struct IgnoreList: Sendable {
    public let rules: [IgnoreRule]

    public init(rules: [IgnoreRule] = []) {
        self.rules = rules
    }

    /// Parses comma-separated lists (one per occurrence of the flag); spaces around
    /// entries are allowed, a blank value means no rules.
    public init(parsing values: [String]) throws(IgnoreRuleError) {
        var rules: [IgnoreRule] = []
        for value in values where !value.trimmingSpaces().isEmpty {
            for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
                rules.append(try IgnoreRule(parsing: entry.trimmingSpaces()))
            }
        }
        self.rules = rules
    }

    public func matches(_ endpoint: RemoteEndpoint) -> Bool {
        // Through a buffer pointer: called for every entry of every dump, and iterating the
        // array itself retained and released it each time.
        rules.withUnsafeBufferPointer { $0.contains { $0.matches(endpoint) } }
    }
}
