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
        var items: [JSON] = []
        var lastKey: String?
        var more = false
        let filtering = options.labelSelector != nil || options.fieldSelector != nil
        while true {
            let want = options.limit == 0 ? 0 : (filtering ? max(options.limit - items.count, 64) : options.limit - items.count)
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
                let obj = try ObjectCodec.decode(kv)
                lastKey = kv.key
                if options.matches(obj) { items.append(obj) }
                if options.limit > 0 && items.count >= options.limit {
                    stoppedEarly = i < page.items.count - 1 || page.more
                    break
                }
            }
            if options.limit > 0 && items.count >= options.limit { more = stoppedEarly; break }
            if !page.more { break }
            startAfter = page.items.last?.key
        }
        // remainingItemCount is optional upstream (an estimate, omitted with selectors); we omit it.
        let token = more ? lastKey.map { ContinueToken(revision: revision, startAfter: String($0.dropFirst(prefix.count))).encoded } : nil
        return ListPage(items: items, revision: revision, continueToken: token)
    }

    /// Every object of a resource (in one namespace, or all), unfiltered.
    public func listAll(_ r: ResourceInfo, namespace: String?) async throws -> ListPage {
        try await list(r, namespace: namespace, options: ListOptions())
    }
}
