import Foundation

/// The repository's Dockerfile built with podman (Tests/Container/build-image.sh, stand-in
/// base images where none can be pulled), once per test run, and podman run with the
/// settings this machine needs.
enum ContainerImage {
    static let tag = "localhost/conntrack-exporter:test"
    static let configuration = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Container/containers.conf").standardized.path

    /// The build's own report (which base images were stand-ins), or the failure.
    static let build: Result<String, TestFailure> = {
        let script = URL(fileURLWithPath: configuration).deletingLastPathComponent().appendingPathComponent("build-image.sh").path
        do {
            let result = try runAllowingFailure([script])
            guard result.status == 0 else { return .failure(TestFailure("building the image failed: \(result.output)\(result.error)")) }
            return .success(result.output)
        } catch {
            return .failure(TestFailure("building the image failed: \(error)"))
        }
    }()

    /// Runs podman with the test configuration; returns its status and output.
    @discardableResult
    static func podman(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try runAllowingFailure(["CONTAINERS_CONF=\(configuration)", "podman"] + arguments)
    }
}
