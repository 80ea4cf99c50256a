import EdgeAPI
import Logging

/// The pod network through CNI plugins (--flannel-backend none, or a
/// configuration in the CNI directory): ADD through the configuration list in
/// order, each plugin given the previous one's result, DEL in reverse with the
/// result kept from ADD, CHECK for lists of 0.4.0 and later. The list a pod
/// was set up with is kept with it, so its tear-down calls the same plugins
/// even if the directory changed since.
public final class CNINetwork: PodNetwork {
    public let configDirectory: String
    public let runner: CNIPluginRunner
    let cluster: @Sendable () -> ClusterDNS?
    let logger = Logger(label: "edgectl.cni")
    public static let interface = "eth0"

    public init(configDirectory: String, binDirectories: [String], clusterDNS: @escaping @Sendable () -> ClusterDNS?) {
        self.configDirectory = configDirectory
        runner = CNIPluginRunner(binDirectories: binDirectories)
        cluster = clusterDNS
    }

    func currentConfig() throws -> CNIConfigList {
        let loaded = CNIConfigDirectory.load(configDirectory)
        guard let config = loaded.config else {
            let why = loaded.problems.isEmpty ? "no network config found in \(configDirectory)" : loaded.problems.joined(separator: "; ")
            throw NetworkNotReady("cni plugin not initialized: \(why)")
        }
        return config
    }

    public func readiness() -> NetworkReadiness {
        do {
            _ = try currentConfig()
            return NetworkReadiness(ready: true)
        } catch {
            return NetworkReadiness(ready: false, message: "Network plugin returns error: \(error)")
        }
    }

    public func clusterDNS() -> ClusterDNS? { cluster() }

    func invocation(_ command: String, _ pod: PodNetworkRequest) -> CNIPluginRunner.Invocation {
        CNIPluginRunner.Invocation(command: command, containerID: pod.uid, netns: pod.networkNamespace, ifname: Self.interface,
                                   args: [("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", pod.namespace), ("K8S_POD_NAME", pod.name),
                                          ("K8S_POD_INFRA_CONTAINER_ID", pod.uid), ("K8S_POD_UID", pod.uid)])
    }

    func runtimeConfig(_ pod: PodNetworkRequest) -> [String: JSON] {
        guard !pod.portMappings.isEmpty else { return [:] }
        return ["portMappings": .array(pod.portMappings.map { m in
            var o: JSON = ["hostPort": .int(m.hostPort), "containerPort": .int(m.containerPort), "protocol": .string(m.proto)]
            if !m.hostIP.isEmpty { o["hostIP"] = .string(m.hostIP) }
            return o
        })]
    }

    public func setUp(_ pod: PodNetworkRequest) async throws -> PodNetworkAttachment {
        let config = try currentConfig()
        var prev: JSON?
        do {
            for i in config.plugins.indices {
                let type = config.plugins[i]["type"]?.string ?? ""
                let result = try await runner.run(type: type, config: config.pluginConfig(i, prevResult: prev, runtimeConfig: runtimeConfig(pod)),
                                                  invocation("ADD", pod))
                if let result { prev = result }
            }
        } catch {
            // Undo the plugins that did run, as the runtimes do after a failed ADD.
            try? await delete(config, pod, result: prev)
            throw error
        }
        let result = prev ?? [:]
        return PodNetworkAttachment(ips: CNIResult.podIPs(result, interface: Self.interface), kind: "cni", cniConfig: config.json, cniResult: result)
    }

    public func tearDown(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment?) async throws {
        let config: CNIConfigList
        if let stored = attachment?.cniConfig, let c = try? CNIConfigList(json: stored) { config = c } else {
            // Set up by an agent that kept nothing: the current list is the best guess, as libcni's.
            guard let c = try? currentConfig() else { return }
            config = c
        }
        try await delete(config, pod, result: attachment?.cniResult)
    }

    func delete(_ config: CNIConfigList, _ pod: PodNetworkRequest, result: JSON?) async throws {
        let prev = CNIConfigList.version(config.cniVersion, atLeast: "0.4.0") ? result : nil
        var firstError: Error?
        for i in config.plugins.indices.reversed() {
            let type = config.plugins[i]["type"]?.string ?? ""
            do {
                _ = try await runner.run(type: type, config: config.pluginConfig(i, prevResult: prev, runtimeConfig: runtimeConfig(pod)),
                                         invocation("DEL", pod))
            } catch {
                logger.warning("CNI DEL of pod \(pod.namespace)/\(pod.name) (\(pod.uid)): \(error)")
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    /// CHECK: asks each plugin whether the pod's network is still as ADD left it (0.4.0+ lists).
    public func check(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment) async throws {
        guard let stored = attachment.cniConfig, let config = try? CNIConfigList(json: stored), config.supportsCheck else { return }
        for i in config.plugins.indices {
            let type = config.plugins[i]["type"]?.string ?? ""
            _ = try await runner.run(type: type, config: config.pluginConfig(i, prevResult: attachment.cniResult, runtimeConfig: runtimeConfig(pod)),
                                     invocation("CHECK", pod))
        }
    }

    /// CNI plugins keep their own state (host-local's files); nothing of edgectl's to collect.
    public func collectGarbage(live: Set<String>) async {}
}
