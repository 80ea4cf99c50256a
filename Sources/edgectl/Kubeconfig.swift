import EdgeAPI

/// A kubeconfig file with embedded credentials, as kubectl and client libraries read it.
enum Kubeconfig {
    static func render(server: String, caPEM: String, clientCertPEM: String, clientKeyPEM: String,
                       cluster: String = "edgectl", user: String = "admin") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: \(Base64.encode(caPEM))
            server: \(server)
          name: \(cluster)
        contexts:
        - context:
            cluster: \(cluster)
            user: \(user)
          name: \(cluster)
        current-context: \(cluster)
        preferences: {}
        users:
        - name: \(user)
          user:
            client-certificate-data: \(Base64.encode(clientCertPEM))
            client-key-data: \(Base64.encode(clientKeyPEM))

        """
    }
}
