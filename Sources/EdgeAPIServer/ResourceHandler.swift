import EdgeAPI
import EdgeAuth
import EdgeRegistry
import EdgeStore

/// Serves one request on a resource: checks the request's shape, builds the
/// write's context, calls the registry's store, renders the answer as the
/// client asked (object, Table, metadata). What differs by resource comes
/// from its strategy; the only per-resource code here routes subresources
/// that have their own REST objects (pods/binding, serviceaccounts/token).
struct ResourceHandler {
    let service: APIService
    let request: HTTPRequest
    let info: RequestInfo
    let user: UserInfo
    let strategy: any ResourceStrategy
    var r: ResourceInfo { strategy.resource }
    var store: ObjectStore { service.store }

    /// Namespace of the object addressed: nil for cluster-scoped resources.
    var namespace: String? { r.namespaced ? info.namespace : nil }

    func serve() async throws -> HTTPResponse {
        if !r.namespaced && info.namespace != nil && r.plural != "namespaces" { throw APIError.pathNotFound() }
        if r.namespaced && info.namespace == nil && info.name != nil { throw APIError.pathNotFound() }
        if let s = info.subresource, !r.subresources.contains(s) { throw APIError.pathNotFound() }
        if r.namespaced, let ns = info.namespace, ns.isEmpty { throw APIError.pathNotFound() }
        let shape = try ResponseShape.from(accept: request.headers["accept"], query: request.query)
        if r.isCreateOnly {
            // The review kinds: answered, never stored.
            guard info.verb == "create", info.name == nil, info.subresource == nil else {
                throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
            let body = try parseBody().json
            // Decoded against its type first, as upstream: a number its field cannot hold is a 400.
            try store.refuseUndecodable(body, strategy)
            return .json(201, try await ReviewHandler.answer(service, resource: r, namespace: namespace, body: body, user: user))
        }

        switch info.verb {
        case "get":
            return try await get(shape)
        case "list":
            let opts = try ListOptions(query: request.query, strategy: strategy)
            if shape == .object {
                // The objects as stored: no need to build each one (Rendering.listBody).
                let page = try await store.listEncoded(r, namespace: info.namespace, options: opts)
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(Rendering.listBody(page, r)))
            }
            let page = try await store.list(r, namespace: info.namespace, options: opts)
            return .json(200, Rendering.list(page, strategy, shape))
        case "watch":
            var opts = try ListOptions(query: request.query, strategy: strategy)
            if let name = info.name { opts.selectName(name) }
            return try await WatchHandler(store: store, strategy: strategy, namespace: info.namespace, options: opts, shape: shape).start()
        case "create":
            return try await create(shape)
        case "update":
            return try await update(shape)
        case "patch":
            return try await patch(shape)
        case "delete":
            return try await delete(shape)
        case "deletecollection":
            return try await deleteCollection()
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    // MARK: verbs

    func get(_ shape: ResponseShape) async throws -> HTTPResponse {
        // A resourceVersion other than "0" asks for a state at least that new (upstream waits for it, then 504).
        if let rv = request.query["resourceVersion"], !rv.isEmpty {
            let wanted = try QueryInteger.uint64(rv)
            if wanted > 0 { try await store.waitUntilFresh(wanted) }
        }
        let obj = try await store.get(r, namespace: namespace, name: try objectName())
        switch info.subresource {
        case "scale": return .json(200, ScaleView.from(obj, try scale()))
        case nil, "status", "approval": return .json(200, Rendering.single(obj, strategy, shape))
        default: throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func create(_ shape: ResponseShape) async throws -> HTTPResponse {
        let ctx = try writeContext(options: "CreateOptions")
        let parsed = try parseBody()
        let body = parsed.json
        switch (r.group, r.plural, info.subresource) {
        case (_, _, nil):
            if info.name != nil { throw APIError.methodNotAllowed("POST is not allowed on a named \(r.plural) object; use PUT or PATCH") }
            let (obj, warnings) = try await store.create(r, namespace: info.namespace, object: body, context: ctx,
                                                         duplicates: parsed.duplicates)
            return .json(201, Rendering.single(obj, strategy, shape), headers: warningHeaders(warnings))
        case ("", "pods", "binding"):
            try TypedSubresourceBody.check(body, kind: "Binding", version: "v1", message: "k8s.io.api.core.v1.Binding")
            try await PodBinding.bind(store, namespace: namespace, name: try objectName(), binding: body, context: ctx)
            return .json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        case ("", "serviceaccounts", "token"):
            guard let tokens = service.serviceAccountTokens else {
                throw APIError.methodNotAllowed("this server has no service account signing key")
            }
            try TypedSubresourceBody.check(body, kind: "TokenRequest", version: "v1", message: "k8s.io.api.authentication.v1.TokenRequest")
            let name = try objectName()
            try await store.admitSubresourceCreate(r, namespace: namespace, name: name, body: body, context: ctx)
            return .json(201, try await TokenRequestHandler.issue(tokens, store: store, namespace: namespace ?? "", name: name, request: body))
        default:
            // A subresource this server does not create (pods/eviction): admission still judges it first, as upstream's.
            if let name = info.name { try await store.admitSubresourceCreate(r, namespace: namespace, name: name, body: body, context: ctx) }
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func update(_ shape: ResponseShape) async throws -> HTTPResponse {
        let ctx = try writeContext(options: "UpdateOptions")
        let parsed = try parseBody()
        let name = try objectName()
        if info.subresource == "scale" {
            try TypedSubresourceBody.check(parsed.json, kind: "Scale", version: "v1", message: "k8s.io.api.autoscaling.v1.Scale")
            let scale = try scale()
            let obj = try await ScaleView.update(store, r, scale, namespace: namespace, name: name, body: parsed.json, context: ctx)
            return .json(200, ScaleView.from(obj, scale))
        }
        let (obj, warnings) = try await store.update(r, namespace: namespace, name: name, object: parsed.json, context: ctx,
                                                     duplicates: parsed.duplicates)
        return .json(200, Rendering.single(obj, strategy, shape), headers: warningHeaders(warnings))
    }

    func patch(_ shape: ResponseShape) async throws -> HTTPResponse {
        let contentType = (request.headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
        if contentType == ApplyRequest.contentType {
            return try await apply(shape)
        }
        guard let kind = PatchKind(contentType: contentType), kind != .strategic || strategy.supportsStrategicMerge else {
            if !strategy.supportsStrategicMerge {
                throw APIError(code: 415, reason: "UnsupportedMediaType",
                               message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
            }
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml")
        }
        try ApplyRequest.refuseForce(request.query)
        let ctx = try writeContext(options: "PatchOptions")
        let document: JSON
        let duplicates: DuplicateKeys
        do { (document, duplicates) = try JSONParser.parseNotingDuplicates(request.body) } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        let name = try objectName()
        if info.subresource == "scale" {
            let scale = try scale()
            let current = try await store.get(r, namespace: namespace, name: name)
            let patched = try PatchApplier.apply(kind, document, to: ScaleView.from(current, scale), schema: nil)
            try TypedSubresourceBody.check(patched, kind: "Scale", version: "v1", message: "k8s.io.api.autoscaling.v1.Scale", fromPatch: true)
            let obj = try await ScaleView.update(store, r, scale, namespace: namespace, name: name, body: patched, context: ctx)
            return .json(200, ScaleView.from(obj, scale))
        }
        let (obj, warnings) = try await store.patch(r, namespace: namespace, name: name, kind: kind, document: document,
                                                    duplicates: duplicates, context: ctx)
        return .json(200, Rendering.single(obj, strategy, shape), headers: warningHeaders(warnings))
    }

    /// A server-side apply: PatchOptions checked as upstream (a fieldManager is required), the body
    /// read as YAML or JSON, then the registry's apply; 201 when it created the object.
    func apply(_ shape: ResponseShape) async throws -> HTTPResponse {
        let force = try ApplyRequest.checkOptions(request.query)
        let ctx = try writeContext(options: "PatchOptions")
        let configuration = try ApplyRequest.parseBody(request.body)
        let name = try objectName()
        guard info.subresource == nil || info.subresource == "status" else {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json")
        }
        let (obj, created, warnings) = try await store.apply(r, namespace: namespace, name: name, configuration: configuration,
                                                             force: force, context: ctx)
        return .json(created ? 201 : 200, Rendering.single(obj, strategy, shape), headers: warningHeaders(warnings))
    }

    /// As upstream's delete handler: 200, or 202 only when the object waits (finalizers, a grace period)
    /// and the client asked for orphanDependents=false; the body is the object while it waits, and once
    /// gone the object where the resource's registry returns it (pods, services, ...) or a Success Status.
    func delete(_ shape: ResponseShape) async throws -> HTTPResponse {
        guard info.subresource == nil else {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        let options = try deleteOptions()
        let outcome = try await store.delete(r, namespace: namespace, name: try objectName(), options: options,
                                             context: try writeContext(options: "DeleteOptions").with(dryRun: options.dryRun))
        let code = !outcome.deletedNow && options.orphanDependents == false ? 202 : 200
        if !outcome.deletedNow || strategy.returnsDeletedObject {
            return .json(code, Rendering.single(outcome.object, strategy, shape))
        }
        return .json(code, Rendering.successStatus(outcome.object, r))
    }

    func deleteCollection() async throws -> HTTPResponse {
        let options = try deleteOptions()
        let ctx = try writeContext(options: "DeleteOptions").with(dryRun: options.dryRun)
        var listOpts = try ListOptions(query: request.query, strategy: strategy)
        listOpts.limit = 0
        let page = try await store.list(r, namespace: info.namespace, options: listOpts)
        var deleted: [JSON] = []
        for obj in page.items {
            guard let n = obj[path: ["metadata", "name"]]?.string else { continue }
            let ns = obj[path: ["metadata", "namespace"]]?.string
            do {
                let o = try await store.delete(r, namespace: r.namespaced ? ns : nil, name: n, options: options, context: ctx)
                deleted.append(o.object)
            } catch let e as APIError where e.code == 404 {
                continue // deleted meanwhile: that is the outcome asked for
            }
        }
        return .json(200, ["kind": .string(r.listKind), "apiVersion": .string(r.apiVersion),
                           "metadata": ["resourceVersion": .string(String(page.revision))], "items": .array(deleted)])
    }

    // MARK: request details

    func objectName() throws -> String {
        guard let name = info.name else { throw APIError.methodNotAllowed("the server does not allow this method on the requested resource") }
        return name
    }

    func scale() throws -> ScaleSubresource {
        guard let s = strategy.scale else { throw APIError.pathNotFound() }
        return s
    }

    func deleteOptions() throws -> DeleteOptions {
        var options = try DeleteOptions(query: request.query, body: request.body, contentType: request.headers["content-type"])
        options.dryRun = try options.dryRun || RequestOptions.dryRun(request.query)
        return options
    }

    func writeContext(options kind: String) throws -> WriteContext {
        try RequestOptions.writeContext(request, user: user, subresource: info.subresource, optionsKind: kind)
    }

    struct ParsedBody {
        var json: JSON
        /// Keys the JSON repeats, for strict field validation.
        var duplicates = DuplicateKeys()
    }

    func parseBody() throws -> ParsedBody {
        let ct = (request.headers["content-type"] ?? "application/json").split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty; send a \(r.kind) object as JSON") }
        if ct == "application/vnd.kubernetes.protobuf" {
            do { return ParsedBody(json: try ProtobufDecoder.decode(request.body)) } catch {
                throw APIError.badRequest("the request body is not a valid protobuf \(r.kind): \(error)")
            }
        }
        guard ct == "application/json" || ct.isEmpty || ct == "*/*" else {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf")
        }
        do {
            let (json, duplicates) = try JSONParser.parseNotingDuplicates(request.body)
            return ParsedBody(json: json, duplicates: duplicates)
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    func warningHeaders(_ warnings: [String]) -> [(String, String)] {
        warnings.map { ("Warning", "299 - \"\($0.replacingQuotes())\"") }
    }
}

extension String {
    /// Quotes inside a Warning header's text must be escaped (RFC 7234 quoted-string).
    func replacingQuotes() -> String {
        var out = ""
        for c in self {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
