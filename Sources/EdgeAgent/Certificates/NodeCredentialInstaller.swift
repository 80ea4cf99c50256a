/// Where renewed credentials go: the agent's data dir (so a restart uses them)
/// and its live connections. Called only with a certificate already checked;
/// throwing keeps the old credentials in use and the renewal is retried.
public protocol NodeCredentialInstaller: Sendable {
    func install(_ credentials: NodeClientCredentials) throws
}
