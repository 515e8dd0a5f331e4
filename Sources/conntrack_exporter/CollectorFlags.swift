import ArgumentParser
import Collectors

/// `--collector.<name>` and `--no-collector.<name>` for every optional collector
/// (``CollectorName/isOptional``), made from the collector list itself; the last one given
/// for a collector wins, as in node_exporter.
struct CollectorFlags: ParsableArguments {
    enum Switch: EnumerableFlag {
        case on(CollectorName)
        case off(CollectorName)

        static var allCases: [Switch] {
            CollectorName.allCases.filter(\.isOptional).flatMap { [Switch.on($0), .off($0)] }
        }

        // Built by hand: the parser's own prefixing spells names with '_' as "no_collector.…".
        static func name(for value: Switch) -> NameSpecification {
            switch value {
            case .on(let name): .customLong("collector.\(name.rawValue)")
            case .off(let name): .customLong("no-collector.\(name.rawValue)")
            }
        }

        static func help(for value: Switch) -> ArgumentHelp? {
            switch value {
            case .on(let name): "Run the \(name.rawValue) collector: \(name.summary) (default)."
            case .off(let name): "Do not run the \(name.rawValue) collector."
            }
        }
    }

    @Flag var switches: [Switch] = []

    /// The optional collectors switched off.
    var disabled: Set<CollectorName> {
        var disabled: Set<CollectorName> = []
        for flag in switches {
            switch flag {
            case .on(let name): disabled.remove(name)
            case .off(let name): disabled.insert(name)
            }
        }
        return disabled
    }
}
