/// Durations as Prometheus flags spell them: `90s`, `5m`, `1h30m`, `2d`, or a bare number
/// of seconds; `0` turns a feature off.
public enum DurationText {
    /// Whole seconds, nil for text that is no such duration or is longer than `UInt32.max` seconds.
    public static func seconds(_ text: String) -> UInt32? {
        if let seconds = UInt32(text) { return seconds }
        var total: UInt64 = 0
        var number: UInt64?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = (number ?? 0) * 10 + UInt64(digit)
                guard number! <= UInt64(UInt32.max) else { return nil }
                continue
            }
            let unit: UInt64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604_800
            default: return nil
            }
            guard let value = number else { return nil }
            total += value * unit
            number = nil
            guard total <= UInt64(UInt32.max) else { return nil }
        }
        guard number == nil, !text.isEmpty else { return nil }
        return UInt32(total)
    }
}
