import Foundation

/// The repository's Dockerfile built with podman (Tests/Container/build-image.sh, stand-in
/// base images where none can be pulled), once per test run, and podman run with the
/// settings this machine needs.
package enum ContainerImage {
    package static let tag = "localhost/conntrack-exporter:test"
    package static let configuration = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Container/containers.conf").standardized.path

    /// The build's own report (which base images were stand-ins), or the failure.
    package static let build: Result<String, TestFailure> = {
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
    package static func podman(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try runAllowingFailure(["CONTAINERS_CONF=\(configuration)", "podman"] + arguments)
    }

    /// Starts a detached container (`podman run -d ARGUMENTS`); throws with podman's output if it
    /// fails. Foundation's Process learns that a child exited through a descriptor the child
    /// inherits, and podman hands its descriptors on to conmon, which stays: waiting on podman
    /// itself would never end. So podman is started by python3 with every other descriptor
    /// closed and its output in a file.
    package static func runDetached(_ arguments: [String]) throws {
        let launcher = """
            import os, subprocess, sys
            with open(sys.argv[1], "w") as log:
                sys.exit(subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True).returncode)
            """
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cte-podman-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let result = try runAllowingFailure(["CONTAINERS_CONF=\(configuration)", "python3", "-c", launcher, log,
                                             "podman", "run", "-d"] + arguments)
        guard result.status == 0 else {
            throw TestFailure("podman run -d failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? result.error)")
        }
    }
}
