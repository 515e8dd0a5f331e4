import Foundation

/// nginx (Debian's nginx-light) in a test namespace with the given `server` blocks, its
/// files in a folder of its own (`root`, for content to serve); stopped and removed when released.
package final class NginxServer {
    package let root: String
    private let directory: String
    private var process: NamespaceProcess?

    /// `servers` is nginx configuration for the `http` block; nginx is up when every one of `ports` listens.
    package init(in namespace: TestNamespace, servers: String, ports: [Int]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-nginx-\(UUID().uuidString)").path
        root = "\(directory)/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try """
            daemon off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log stderr;
            events {}
            http {
              access_log off;
              client_body_temp_path \(directory)/body;
              \(servers)
            }
            """.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = try NamespaceProcess(in: namespace, ["nginx", "-p", directory, "-c", "\(directory)/nginx.conf", "-e", "stderr"])
        for port in ports { try nginx.waitUntilListening(port: port) }
        process = nginx
    }

    deinit {
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}
