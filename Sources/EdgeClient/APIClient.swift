import EdgeAPI

/// A small client for the Kubernetes REST API working on JSON objects:
/// what the scheduler, controllers and agent use. Failures arrive as APIError,
/// decoded from the server's Status.
public struct APIClient: Sendable {
    public let transport: any ClientTransport
    /// Sent as User-Agent so server logs say which component acted.
    public let userAgent: String
    /// Sent as `Authorization: Bearer` (join tokens, service account tokens) when set.
    public let bearerToken: String?

    public init(transport: any ClientTransport, userAgent: String = "edgectl", bearerToken: String? = nil) {
        self.transport = transport
        self.userAgent = userAgent
        self.bearerToken = bearerToken
    }

    var baseHeaders: [String: String] {
        var h = ["accept": "application/json", "user-agent": userAgent]
        if let bearerToken { h["authorization"] = "Bearer " + bearerToken }
        return h
    }

    public static func path(_ r: ResourceInfo, namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var p = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        if r.namespaced, let namespace { p += "/namespaces/\(namespace)" }
        p += "/\(r.plural)"
        if let name { p += "/\(name)" }
        if let subresource { p += "/\(subresource)" }
        return p
    }

    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in v.map { "\(k)=\(percentEncode($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(b)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    /// What a metadata-only list or watch asks for: PartialObjectMetadata, as upstream's metadata client.
    public static let metadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    public static let metadataAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"

    func call(_ method: String, _ uri: String, body: JSON? = nil, contentType: String = "application/json",
              accept: String? = nil) async throws -> JSON {
        var headers = baseHeaders
        if let accept { headers["accept"] = accept }
        if body != nil { headers["content-type"] = contentType }
        let resp = try await transport.send(ClientRequest(method: method, uri: uri, headers: headers,
                                                          body: body.map { JSONSerializer.serialize($0) } ?? []))
        let parsed = (try? JSONParser.parse(resp.body)) ?? .null
        if resp.status >= 300 { throw Self.error(status: resp.status, body: parsed) }
        return parsed
    }

    static func error(status: Int, body: JSON) -> APIError {
        var causes: [APIError.Cause] = []
        for c in body[path: ["details", "causes"]]?.array ?? [] {
            causes.append(.init(reason: c["reason"]?.string ?? "", message: c["message"]?.string ?? "", field: c["field"]?.string ?? ""))
        }
        return APIError(code: status, reason: body["reason"]?.string ?? "Unknown",
                        message: body["message"]?.string ?? "the server answered \(status)",
                        details: .init(name: body[path: ["details", "name"]]?.string, kind: body[path: ["details", "kind"]]?.string,
                                       causes: causes))
    }

    public func get(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON {
        try await call("GET", Self.path(r, namespace: namespace, name: name))
    }

    /// nil when the object does not exist.
    public func getIfExists(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON? {
        do { return try await get(r, namespace: namespace, name: name) } catch let e as APIError where e.code == 404 { return nil }
    }

    public struct ListResult: Sendable {
        public var items: [JSON]
        public var resourceVersion: String
    }

    /// Lists every page (the server pages at `pageSize`). `metadataOnly` asks for
    /// PartialObjectMetadata items (kind, apiVersion and metadata only).
    public func list(_ r: ResourceInfo, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                     pageSize: Int = 500, metadataOnly: Bool = false) async throws -> ListResult {
        var items: [JSON] = []
        var token: String?
        var rv = ""
        repeat {
            let q = Self.query([("labelSelector", labelSelector), ("fieldSelector", fieldSelector),
                                ("limit", String(pageSize)), ("continue", token)])
            let page = try await call("GET", Self.path(r, namespace: namespace) + q, accept: metadataOnly ? Self.metadataListAccept : nil)
            items += page["items"]?.array ?? []
            rv = page[path: ["metadata", "resourceVersion"]]?.string ?? rv
            token = page[path: ["metadata", "continue"]]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return ListResult(items: items, resourceVersion: rv)
    }

    public func create(_ r: ResourceInfo, namespace: String?, _ obj: JSON) async throws -> JSON {
        try await call("POST", Self.path(r, namespace: namespace), body: obj)
    }

    public func update(_ r: ResourceInfo, _ obj: JSON, subresource: String? = nil) async throws -> JSON {
        let ns = obj[path: ["metadata", "namespace"]]?.string
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        return try await call("PUT", Self.path(r, namespace: ns, name: name, subresource: subresource), body: obj)
    }

    public func updateStatus(_ r: ResourceInfo, _ obj: JSON) async throws -> JSON {
        try await update(r, obj, subresource: "status")
    }

    public func mergePatch(_ r: ResourceInfo, namespace: String?, name: String, _ patch: JSON, subresource: String? = nil) async throws -> JSON {
        try await call("PATCH", Self.path(r, namespace: namespace, name: name, subresource: subresource), body: patch,
                       contentType: "application/merge-patch+json")
    }

    public func post(_ r: ResourceInfo, namespace: String?, name: String, subresource: String, _ body: JSON) async throws -> JSON {
        try await call("POST", Self.path(r, namespace: namespace, name: name, subresource: subresource), body: body)
    }

    @discardableResult
    public func delete(_ r: ResourceInfo, namespace: String?, name: String, propagationPolicy: String? = nil,
                       gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
                       preconditionResourceVersion: String? = nil) async throws -> JSON {
        var opts: JSON = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { opts["propagationPolicy"] = .string(propagationPolicy) }
        if let gracePeriodSeconds { opts["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if let preconditionUID { opts[path: ["preconditions", "uid"]] = .string(preconditionUID) }
        if let preconditionResourceVersion { opts[path: ["preconditions", "resourceVersion"]] = .string(preconditionResourceVersion) }
        return try await call("DELETE", Self.path(r, namespace: namespace, name: name), body: opts)
    }

    public struct Event: Sendable {
        public var type: String
        public var object: JSON
    }

    /// Watch events after `resourceVersion`; the stream ends when the server
    /// closes it, or throws APIError 410 when the version is too old. `metadataOnly`
    /// asks for PartialObjectMetadata objects.
    public func watch(_ r: ResourceInfo, namespace: String? = nil, resourceVersion: String, labelSelector: String? = nil,
                      fieldSelector: String? = nil, timeoutSeconds: Int? = nil,
                      metadataOnly: Bool = false) async throws -> AsyncThrowingStream<Event, Error> {
        let q = Self.query([("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"),
                            ("labelSelector", labelSelector), ("fieldSelector", fieldSelector),
                            ("timeoutSeconds", timeoutSeconds.map(String.init))])
        var headers = baseHeaders
        if metadataOnly { headers["accept"] = Self.metadataAccept }
        let (status, chunks) = try await transport.stream(ClientRequest(method: "GET", uri: Self.path(r, namespace: namespace) + q,
                                                                        headers: headers))
        if status >= 300 {
            var body: [UInt8] = []
            for try await c in chunks { body += c }
            throw Self.error(status: status, body: (try? JSONParser.parse(body)) ?? .null)
        }
        return AsyncThrowingStream { cont in
            let task = Task {
                var buffer: [UInt8] = []
                do {
                    for try await chunk in chunks {
                        buffer += chunk
                        while let nl = buffer.firstIndex(of: 0x0A) {
                            let line = Array(buffer[..<nl])
                            buffer.removeSubrange(...nl)
                            if line.isEmpty { continue }
                            let ev = try JSONParser.parse(line)
                            let type = ev["type"]?.string ?? ""
                            let obj = ev["object"] ?? .null
                            if type == "ERROR" {
                                throw Self.error(status: obj["code"]?.clampedInt ?? 500, body: obj)
                            }
                            cont.yield(Event(type: type, object: obj))
                        }
                    }
                    cont.finish()
                } catch {
                    cont.finish(throwing: error)
                }
            }
            cont.onTermination = { _ in task.cancel() }
        }
    }
}
