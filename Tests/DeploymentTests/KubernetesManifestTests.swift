import Foundation
import Testing

/// The Kubernetes manifests, checked structurally: kinds, the node's network, one
/// capability, resources, probes, and selectors that match.
@Suite(.enabled(if: Repository.has("python3"))) struct KubernetesManifestTests {
    private func object(_ file: String, kind: String) throws -> [String: Any] {
        let documents = try Repository.yamlDocuments("deploy/kubernetes/\(file)")
        return try #require(documents.first { $0["kind"] as? String == kind }, "\(file) has no \(kind)")
    }

    private func value(_ object: Any?, _ path: String) -> Any? {
        path.split(separator: ".").reduce(object) { current, key in
            if let index = Int(key) { return (current as? [Any]).flatMap { $0.indices.contains(index) ? $0[index] : nil } }
            return (current as? [String: Any])?[String(key)]
        }
    }

    @Test func daemonSetRunsOnTheNodesNetworkWithNetAdminOnly() throws {
        let daemonSet = try object("daemonset.yaml", kind: "DaemonSet")
        #expect(daemonSet["apiVersion"] as? String == "apps/v1")
        #expect(value(daemonSet, "spec.template.spec.hostNetwork") as? Bool == true)
        let container = value(daemonSet, "spec.template.spec.containers.0")
        #expect(value(container, "securityContext.capabilities.add") as? [String] == ["NET_ADMIN"])
        #expect(value(container, "securityContext.capabilities.drop") as? [String] == ["ALL"])
        #expect(value(container, "securityContext.allowPrivilegeEscalation") as? Bool == false)
        #expect(value(container, "securityContext.readOnlyRootFilesystem") as? Bool == true)
        #expect(value(container, "securityContext.privileged") == nil)
        for key in ["resources.requests.cpu", "resources.requests.memory", "resources.limits.memory"] {
            #expect(value(container, key) != nil, "\(key)")
        }
        #expect(value(container, "livenessProbe.httpGet.path") as? String == "/")
        #expect(value(container, "livenessProbe.httpGet.port") as? String == "metrics")
        #expect(value(container, "ports.0.containerPort") as? Int == 9318)
        #expect(value(container, "ports.0.name") as? String == "metrics")
        let selector = value(daemonSet, "spec.selector.matchLabels") as? [String: String]
        #expect(selector != nil)
        #expect(selector == value(daemonSet, "spec.template.metadata.labels") as? [String: String])
    }

    @Test func serviceAndPodMonitorSelectTheDaemonSet() throws {
        let daemonSet = try object("daemonset.yaml", kind: "DaemonSet")
        let labels = try #require(value(daemonSet, "spec.template.metadata.labels") as? [String: String])
        let service = try object("service.yaml", kind: "Service")
        #expect(value(service, "spec.selector") as? [String: String] == labels)
        #expect(value(service, "spec.ports.0.port") as? Int == 9318)
        #expect(value(service, "spec.ports.0.targetPort") as? String == "metrics")
        let monitor = try object("podmonitor.yaml", kind: "PodMonitor")
        #expect(monitor["apiVersion"] as? String == "monitoring.coreos.com/v1")
        #expect(value(monitor, "spec.selector.matchLabels") as? [String: String] == labels)
        #expect(value(monitor, "spec.podMetricsEndpoints.0.port") as? String == "metrics")
        for object in [daemonSet, service, monitor] {
            #expect(value(object, "metadata.namespace") as? String == "monitoring")
        }
    }
}
