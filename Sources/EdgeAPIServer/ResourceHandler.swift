import EdgeAPI
import EdgeStore

/// Serves one request on a resource: checks the request's shape, calls the
/// ObjectStore, renders the answer as the client asked (object, Table, metadata).
struct ResourceHandler {
    let service: APIService
    let request: HTTPRequest
    let info: RequestInfo
    let user: UserInfo
    let r: ResourceInfo
    var store: ObjectStore { service.store }

    init(service: APIService, request: HTTPRequest, info: RequestInfo, user: UserInfo) {
        self.service = service
        self.request = request
        self.info = info
        self.user = user
        self.r = ResourceRegistry.lookup(group: info.group, version: info.version, plural: info.resource)!
    }

    /// Namespace of the object addressed: nil for cluster-scoped resources.
    var namespace: String? { r.namespaced ? info.namespace : nil }

    func serve() async throws -> HTTPResponse {
        if !r.namespaced && info.namespace != nil && r.plural != "namespaces" { throw APIError.pathNotFound() }
        if r.namespaced && info.namespace == nil && info.name != nil { throw APIError.pathNotFound() }
        if let s = info.subresource, !r.subresources.contains(s) { throw APIError.pathNotFound() }
        if r.namespaced, let ns = info.namespace, ns.isEmpty { throw APIError.pathNotFound() }
        let shape = try ResponseShape.from(accept: request.headers["accept"], query: request.query)

        switch info.verb {
        case "get":
            return try await get(shape)
        case "list":
            let opts = try ListOptions(query: request.query, resource: r)
            let page = try await store.list(r, namespace: info.namespace, options: opts)
            return .json(200, Rendering.list(page, r, shape))
        case "watch":
            var opts = try ListOptions(query: request.query, resource: r)
            if let name = info.name {
                opts.fieldSelector = try FieldSelectorString("metadata.name=\(name)", allowed: r.fieldSelectorPaths, resource: r)
            }
            return try await WatchHandler(store: store, resource: r, namespace: info.namespace, options: opts, shape: shape).start()
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
        let obj = try await store.get(r, namespace: namespace, name: info.name!)
        switch info.subresource {
        case "scale": return .json(200, Scale.from(obj, r))
        case nil, "status", "approval": return .json(200, Rendering.single(obj, r, shape))
        default: throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func create(_ shape: ResponseShape) async throws -> HTTPResponse {
        let dryRun = try dryRunRequested()
        let fv = try fieldValidation()
        let parsed = try parseBody()
        var body = parsed.json
        switch info.subresource {
        case nil:
            if info.name != nil { throw APIError.methodNotAllowed("POST is not allowed on a named \(r.plural) object; use PUT or PATCH") }
            if r.group == "certificates.k8s.io" && r.kind == "CertificateSigningRequest" {
                // Decoding comes first upstream: a CSR whose fields do not fit its types is a 400 before admission looks at it.
                try store.refuseUndecodable(body, r)
                body = try CSRAdmission.prepare(body, user: user, r)
            }
            let (obj, warnings) = try await store.create(r, namespace: info.namespace, object: body, dryRun: dryRun, fieldValidation: fv,
                                                         duplicates: parsed.duplicates)
            return .json(201, Rendering.single(obj, r, shape), headers: warningHeaders(warnings))
        case "binding" where r.kind == "Pod":
            try TypedSubresourceBody.check(body, kind: "Binding", version: "v1", message: "k8s.io.api.core.v1.Binding")
            try await Binding.bind(store: store, pod: r, namespace: namespace, name: info.name!, binding: body, dryRun: dryRun)
            return .json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        case "token" where r.kind == "ServiceAccount":
            guard let tokens = service.serviceAccountTokens else {
                throw APIError.methodNotAllowed("this server has no service account signing key")
            }
            try TypedSubresourceBody.check(body, kind: "TokenRequest", version: "v1", message: "k8s.io.api.authentication.v1.TokenRequest")
            return .json(201, try await TokenRequestHandler.issue(tokens, store: store, namespace: namespace ?? "", name: info.name!, request: body))
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func update(_ shape: ResponseShape) async throws -> HTTPResponse {
        let dryRun = try dryRunRequested()
        let fv = try fieldValidation()
        let parsed = try parseBody()
        let body = parsed.json
        if info.subresource == "scale" {
            try TypedSubresourceBody.check(body, kind: "Scale", version: "v1", message: "k8s.io.api.autoscaling.v1.Scale")
            let obj = try await Scale.update(store: store, r, namespace: namespace, name: info.name!, scale: body, dryRun: dryRun)
            return .json(200, Scale.from(obj, r))
        }
        let (obj, warnings) = try await store.update(r, namespace: namespace, name: info.name!, object: body,
                                                     subresource: info.subresource, dryRun: dryRun, fieldValidation: fv,
                                                     duplicates: parsed.duplicates)
        return .json(200, Rendering.single(obj, r, shape), headers: warningHeaders(warnings))
    }

    func patch(_ shape: ResponseShape) async throws -> HTTPResponse {
        let dryRun = try dryRunRequested()
        let fv = try fieldValidation()
        let contentType = (request.headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
        guard let kind = PatchKind(contentType: contentType) else {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json")
        }
        let patchDoc: JSON
        let patchDuplicates: DuplicateKeys
        do { (patchDoc, patchDuplicates) = try JSONParser.parseNotingDuplicates(request.body) } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        if kind == .json, let ops = patchDoc.array, ops.count > JSONPatch.maxOperations {
            throw APIError(code: 413, reason: "RequestEntityTooLarge",
                           message: "Request entity too large: The allowed maximum operations in a JSON patch is \(JSONPatch.maxOperations), got \(ops.count)")
        }
        let patchFindings = PatchDocumentFindings.list(kind, patchDoc, duplicates: patchDuplicates)
        let schema = service.store.admission.patchSchema(resource: r)
        let sub = info.subresource
        let name = info.name!
        if sub == "scale" {
            let current = try await store.get(r, namespace: namespace, name: name)
            let patched = try PatchApplier.apply(kind, patchDoc, to: Scale.from(current, r), schema: nil)
            try TypedSubresourceBody.check(patched, kind: "Scale", version: "v1", message: "k8s.io.api.autoscaling.v1.Scale", fromPatch: true)
            let obj = try await Scale.update(store: store, r, namespace: namespace, name: name, scale: patched, dryRun: dryRun)
            return .json(200, Scale.from(obj, r))
        }
        var warnings: [String] = []
        let result = try await store.guaranteedUpdate(r, namespace: namespace, name: name, dryRun: dryRun) { old in
            var patched = try PatchApplier.apply(kind, patchDoc, to: old, schema: schema)
            if patched[path: ["metadata", "name"]]?.string != name {
                throw APIError.badRequest("the name of the object (\(patched[path: ["metadata", "name"]]?.string ?? "")) does not match the name on the URL (\(name))")
            }
            warnings = try store.applyFieldValidation(&patched, r, fv, source: .patch, preceding: patchFindings)
            // A patch that carries a resourceVersion is a precondition (as upstream).
            let pinned = patchDoc[path: ["metadata", "resourceVersion"]] != nil
                || (kind == .json && ObjectCodec.revision(of: patched) != ObjectCodec.revision(of: old))
            return (KindRules.merge(incoming: patched, old: old, subresource: sub, r), pinned)
        }
        return .json(200, Rendering.single(result, r, shape), headers: warningHeaders(warnings))
    }

    func delete(_ shape: ResponseShape) async throws -> HTTPResponse {
        guard info.subresource == nil else {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        var options = try DeleteOptions(query: request.query, body: request.body,
                                        contentType: request.headers["content-type"])
        options.dryRun = try options.dryRun || dryRunRequested()
        let outcome = try await store.delete(r, namespace: namespace, name: info.name!, options: options, dryRun: options.dryRun)
        if !outcome.deletedNow { return .json(202, Rendering.single(outcome.object, r, shape)) }
        if r.kind == "Pod" || r.kind == "Namespace" { return .json(200, Rendering.single(outcome.object, r, shape)) }
        return .json(200, Rendering.successStatus(outcome.object, r))
    }

    func deleteCollection() async throws -> HTTPResponse {
        var options = try DeleteOptions(query: request.query, body: request.body,
                                        contentType: request.headers["content-type"])
        options.dryRun = try options.dryRun || dryRunRequested()
        var listOpts = try ListOptions(query: request.query, resource: r)
        listOpts.limit = 0
        let page = try await store.list(r, namespace: info.namespace, options: listOpts)
        var deleted: [JSON] = []
        for obj in page.items {
            guard let n = obj[path: ["metadata", "name"]]?.string else { continue }
            let ns = obj[path: ["metadata", "namespace"]]?.string
            do {
                let o = try await store.delete(r, namespace: r.namespaced ? ns : nil, name: n, options: options, dryRun: options.dryRun)
                deleted.append(o.object)
            } catch let e as APIError where e.code == 404 {
                continue // deleted meanwhile: that is the outcome asked for
            }
        }
        return .json(200, ["kind": .string(r.listKind), "apiVersion": .string(r.apiVersion),
                           "metadata": ["resourceVersion": .string(String(page.revision))], "items": .array(deleted)])
    }

    // MARK: request details

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

    func dryRunRequested() throws -> Bool {
        guard let d = request.query["dryRun"], !d.isEmpty else { return false }
        guard d == "All" else {
            throw APIError(code: 400, reason: "BadRequest", message: "Invalid dryRun value: \(d); the only supported value is \"All\"")
        }
        return true
    }

    func fieldValidation() throws -> FieldValidation {
        guard let v = request.query["fieldValidation"], !v.isEmpty else { return .warn }
        guard let f = FieldValidation(rawValue: v) else {
            throw APIError.badRequest("fieldValidation: Unsupported value: \"\(v)\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        return f
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
