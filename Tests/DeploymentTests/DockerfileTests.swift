import Foundation
import Testing

/// The container recipe, exercised without a Docker engine: linted, its build script run,
/// and the runtime stage checked to carry every library the binary links.
@Suite(.serialized) struct DockerfileTests {
    @Test(.enabled(if: Repository.has("hadolint"))) func passesHadolint() throws {
        let result = try Repository.run(["hadolint", "Dockerfile"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func buildsWithTheSharedScript() throws {
        let dockerfile = try Repository.read("Dockerfile")
        #expect(dockerfile.contains("RUN scripts/build-release.sh /out"))
        #expect(dockerfile.contains("FROM swift:6.2-bookworm AS build"))
        #expect(dockerfile.contains("FROM debian:12-slim"))
        #expect(dockerfile.contains("EXPOSE 9318"))
        #expect(dockerfile.contains(#"ENTRYPOINT ["/usr/local/bin/conntrack_exporter"]"#))
        #expect(dockerfile.contains("setcap cap_net_admin+p /usr/local/bin/conntrack_exporter"))
        #expect(dockerfile.contains("USER 10001"))
    }

    @Test(.timeLimit(.minutes(20))) func runtimeStageHasEveryLibraryTheBinaryLinks() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("conntrack-exporter-image-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let build = try Repository.run(["scripts/build-release.sh", output, ".build-release"])
        try #require(build.status == 0, "\(build.output)")
        let binary = "\(output)/conntrack_exporter"
        let version = try Repository.run([binary, "--version"])
        #expect(version.output.hasPrefix("conntrack_exporter "))

        // The Swift runtime is linked statically: no libswift*.so at run time.
        let ldd = try Repository.run(["ldd", binary]).output
        #expect(!ldd.contains("libswift"), "\(ldd)")
        #expect(!ldd.contains("not found"), "\(ldd)")
        let libraries = ldd.split(separator: "\n").compactMap { line -> String? in
            let path = line.split(separator: " ").first { $0.hasPrefix("/") }
            return path.map(String.init)
        }
        let runtimeLine = try Repository.read("Dockerfile").split(separator: "\n")
            .drop { !$0.hasPrefix("FROM debian:12-slim") }
            .first { $0.contains("apt-get install") } ?? ""
        for library in libraries {
            // Debian 12 merged /lib into /usr/lib: dpkg knows a library by one of the two paths.
            var package = ""
            for path in [library, "/usr\(library)"] where package.isEmpty {
                let owner = try Repository.run(["dpkg", "-S", path])
                if owner.status == 0 { package = owner.output.split(separator: ":").first.map(String.init) ?? "" }
            }
            #expect(!package.isEmpty, "no Debian package owns \(library)")
            if package == "libc6" { continue }  // in every Debian image
            #expect(runtimeLine.contains(" \(package)"), "\(library) comes from \(package), which the runtime stage does not install")
        }
    }
}
