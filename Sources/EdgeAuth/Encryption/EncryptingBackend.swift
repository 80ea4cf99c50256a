import EdgeStore

/// A Backend that encrypts Secrets on their way into the store and decrypts
/// them on the way out (gets, lists, watches), so the database file holds
/// only ciphertext for them; every other key passes through untouched.
public struct EncryptingBackend: Backend {
    public let base: any Backend
    let config: SecretsEncryptionConfig
    static let prefix = "/registry/secrets/"

    public init(base: any Backend, config: SecretsEncryptionConfig) {
        self.base = base
        self.config = config
    }

    func sealed(_ key: String, _ value: [UInt8]) throws -> [UInt8] {
        key.hasPrefix(Self.prefix) ? try config.encrypt(value, storageKey: key) : value
    }

    func opened(_ kv: KeyValue) throws -> KeyValue {
        guard kv.key.hasPrefix(Self.prefix) else { return kv }
        var out = kv
        do { out.value = try config.decrypt(kv.value, storageKey: kv.key) } catch {
            throw StoreError.database("cannot decrypt \(kv.key): \(error)")
        }
        return out
    }

    /// Rewrites every Secret not stored under the current key (written before encryption was on, or
    /// under a key since rotated out of first place); returns how many it rewrote.
    public func reencryptAll() async throws -> Int {
        let current = SecretsEncryptionConfig.storedPrefix(config.keys[0])
        var rewritten = 0
        var startAfter: String?
        repeat {
            let page = try await base.list(prefix: Self.prefix, revision: 0, startAfter: startAfter, limit: 200)
            for kv in page.items where !kv.value.starts(with: current) {
                let plain = try opened(kv).value
                do {
                    _ = try await base.update(kv.key, value: try sealed(kv.key, plain), expectedRevision: kv.modRevision)
                    rewritten += 1
                } catch StoreError.conflict, StoreError.notFound {
                    continue  // written meanwhile, so already under the current key; or gone
                }
            }
            startAfter = page.more ? page.items.last?.key : nil
        } while startAfter != nil
        return rewritten
    }

    public func get(_ key: String) async throws -> KeyValue? { try await base.get(key).map(opened) }

    public func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        var r = try await base.list(prefix: prefix, revision: revision, startAfter: startAfter, limit: limit)
        r.items = try r.items.map(opened)
        return r
    }

    public func count(prefix: String) async throws -> Int { try await base.count(prefix: prefix) }

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 { try await base.create(key, value: try sealed(key, value)) }

    public func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        try await base.update(key, value: try sealed(key, value), expectedRevision: expectedRevision)
    }

    public func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue {
        try opened(try await base.delete(key, expectedRevision: expectedRevision))
    }

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> {
        let upstream = base.watch(prefix: prefix, afterRevision: afterRevision)
        let me = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await e in upstream {
                        var event = e
                        event.kv = try me.opened(e.kv)
                        event.prevKV = try e.prevKV.map(me.opened)
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func compact(revision: Int64) async throws { try await base.compact(revision: revision) }
    public func currentRevision() async throws -> Int64 { try await base.currentRevision() }
    public func compactedRevision() async throws -> Int64 { try await base.compactedRevision() }
    public func close() async { await base.close() }
}
