import Foundation

/// The status lines (/proc/PID/task/TID/status) of every thread of a process: capabilities
/// are per thread, so the main thread's alone prove nothing.
package enum ThreadStatus {
    /// CapEff/CapPrm/CapBnd holding CAP_NET_ADMIN (bit 12) and nothing else.
    package static let netAdminOnly = "0000000000001000"

    package static func all(of pid: Int32) throws -> [[String: String]] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").map { thread in
            let text = try String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)
            return Dictionary(text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }, uniquingKeysWith: { first, _ in first })
        }
    }
}
