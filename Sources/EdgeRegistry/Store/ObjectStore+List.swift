import EdgeAPI
import EdgeStore

/// One page of a list, at one revision.
public struct ListPage: Sendable {
    public var items: [JSON]
    public var revision: Int64
    public var continueToken: String?
}

extension ObjectStore {
    /// Serves a list with selectors applied, reading store pages until `limit`
    /// matching items are found, all at one revision so pages are consistent.
    public func list(_ r: ResourceInfo, namespace: String?, options: ListOptions) async throws -> ListPage {
        var items: [JSON] = []
        let strategy = catalog.strategy(group: r.group, version: r.version, plural: r.plural)
        let (revision, token) = try await scan(r, namespace: namespace, options: options) { kv in
            let obj = try decodeForRead(kv, r, strategy)
            guard options.matches(obj) else { return false }
            items.append(obj)
            return true
        }
        return ListPage(items: items, revision: revision, continueToken: token)
    }

    /// The same list as `list`, each item already encoded as JSON, for a
    /// response that shows the objects as read: an item is its stored bytes
    /// with `metadata.resourceVersion` spliced in, parsed only when its bytes are
    /// not in the serializer's canonical form or the resource's storage
    /// conversion changes it (then parsed, converted and encoded, so the result
    /// is the same either way) or when selectors must look inside it.
    public func listEncoded(_ r: ResourceInfo, namespace: String?, options: ListOptions) async throws -> EncodedListPage {
        var items: [UInt8] = []
        var count = 0
        let filtering = options.labelSelector != nil || options.fieldSelector != nil
        let strategy = catalog.strategy(group: r.group, version: r.version, plural: r.plural)
        let (revision, token) = try await scan(r, namespace: namespace, options: options) { kv in
            if filtering {
                let obj = try decodeForRead(kv, r, strategy)
                guard options.matches(obj) else { return false }
            }
            if count > 0 { items.append(UInt8(ascii: ",")) }
            if let strategy {
                try ObjectCodec.appendEncoded(kv, readThrough: strategy, to: &items)
            } else {
                try ObjectCodec.appendEncoded(kv, to: &items)
            }
            count += 1
            return true
        }
        return EncodedListPage(joinedItems: items, count: count, revision: revision, continueToken: token)
    }

    /// Reads store pages at one revision, handing each stored object to `take`
    /// (true when it matched and was kept) until `limit` are kept; returns the
    /// revision read and the continue token when more remain.
    func scan(_ r: ResourceInfo, namespace: String?, options: ListOptions,
              _ take: (KeyValue) throws -> Bool) async throws -> (revision: Int64, continueToken: String?) {
        let prefix = r.listPrefix(namespace: namespace)
        var revision: Int64 = 0
        var startAfter: String?
        if let c = options.continueToken {
            revision = c.revision
            startAfter = prefix + c.startAfter
        } else if let wanted = options.minimumRevision {
            try await waitUntilFresh(wanted)
            // Fresh enough: the revision is one the store has handed out, so it fits an Int64.
            if options.resourceVersionMatch == "Exact" { revision = Int64(clamping: wanted) }
        }
        var kept = 0
        var lastKey: String?
        var more = false
        let filtering = options.labelSelector != nil || options.fieldSelector != nil
        while true {
            let want = options.limit == 0 ? 0 : (filtering ? max(options.limit - kept, 64) : options.limit - kept)
            let page: ListResult
            do {
                page = try await backend.list(prefix: prefix, revision: revision, startAfter: startAfter, limit: want)
            } catch StoreError.compacted(let requested, let at) {
                if options.continueToken != nil {
                    throw APIError.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
                }
                throw APIError.gone("too old resource version: \(requested) (\(at))")
            } catch StoreError.futureRevision(let requested, let current) {
                throw ResourceVersionFreshness.tooLarge(UInt64(max(requested, 0)), current: current)
            }
            revision = page.revision
            var stoppedEarly = false
            for (i, kv) in page.items.enumerated() {
                lastKey = kv.key
                if try take(kv) { kept += 1 }
                if options.limit > 0 && kept >= options.limit {
                    stoppedEarly = i < page.items.count - 1 || page.more
                    break
                }
            }
            if options.limit > 0 && kept >= options.limit { more = stoppedEarly; break }
            if !page.more { break }
            startAfter = page.items.last?.key
        }
        // remainingItemCount is optional upstream (an estimate, omitted with selectors); we omit it.
        let token = more ? lastKey.map { ContinueToken(revision: revision, startAfter: String($0.dropFirst(prefix.count))).encoded } : nil
        return (revision, token)
    }

    /// Every object of a resource (in one namespace, or all), unfiltered.
    public func listAll(_ r: ResourceInfo, namespace: String?) async throws -> ListPage {
        try await list(r, namespace: namespace, options: ListOptions())
    }
}
