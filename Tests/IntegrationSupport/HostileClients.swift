/// The attackers of `hostile-clients.py` (beside this file; the soak runs it too), as the
/// arguments of a ``NamespaceProcess``.
package enum HostileClients {
    private static let script = String(#filePath.dropLast("HostileClients.swift".count)) + "hostile-clients.py"

    /// 520 kept-alive clients from 127.0.0.2, each sending 8 `request`s at once, for `seconds`.
    package static func pipelining(_ request: String, seconds: Int) -> [String] {
        ["python3", script, "pipeline", request, "--seconds", "\(seconds)"]
    }

    /// Connects, sends `request` and resets the connection, in a loop for `seconds`.
    package static func abandoning(_ request: String, seconds: Int) -> [String] {
        ["python3", script, "abandon", request, "--seconds", "\(seconds)"]
    }

    /// Rewrites `path` in place, in a loop for `seconds`.
    package static func rewriting(_ path: String, seconds: Int) -> [String] {
        ["python3", script, "rewrite", path, "--seconds", "\(seconds)"]
    }
}
