import EdgeAPI

/// Everything the generic store and the HTTP surface need to know about one
/// resource's objects, as upstream's registry strategies answer it
/// (PrepareForCreate/Update, Validate/ValidateUpdate, Canonicalize, the
/// status split, the table convertor, field selector attributes). The store
/// never asks which kind it holds: it asks the strategy. A built-in kind is a
/// struct in Strategies/; a custom resource is one more conforming value
/// built from its definition's schema and registered in the ResourceCatalog.
///
/// Defaults for every requirement are in ResourceStrategy+Defaults.swift;
/// a strategy states only where its kind differs.
public protocol ResourceStrategy: Sendable {
    var resource: ResourceInfo { get }

    // MARK: decoding (upstream: the scheme's typed decoding, defaulting and conversion)

    /// Typed decoding as upstream's: the first value a field's type cannot hold, and fields no type defines.
    func checkDecoding(_ obj: JSON) -> DecodeReport
    /// Drops fields no type defines (what upstream's decoder does unless fieldValidation is Strict).
    func pruneUnknownFields(_ obj: inout JSON)
    /// The strategic-merge view of the type (list merge keys); nil: lists are replaced.
    var patchSchema: (any PatchSchemaNode)? { get }
    /// False where upstream answers 415 to a strategic merge patch (custom resources); OpenAPI leaves it out.
    var supportsStrategicMerge: Bool { get }
    /// What a read through this resource's version sees of a stored object (a custom object stored in
    /// another version of its definition gets this version's apiVersion, as conversion None does).
    func convertFromStorage(_ obj: inout JSON)
    /// When `convertFromStorage` is the identity, so a LIST or watch may send the stored
    /// bytes (ObjectStore.listEncoded, the watch's spliced events) instead of the converted object.
    var storedForm: StoredForm { get }
    /// The server-side apply view of the type (list types, atomic objects); nil: deduced from the values.
    var applySchema: (any TypeSchemaNode)? { get }
    /// Conversions from what clients may send into the stored form (a Secret's stringData into data).
    func normalize(_ obj: inout JSON)
    /// Upstream's SetDefaults_*: fields the client left out, on every write.
    func applyDefaults(_ obj: inout JSON)

    // MARK: writes

    /// Names of this kind follow this syntax.
    var nameRule: NameRule { get }
    /// Whether a change outside metadata and status bumps metadata.generation.
    var tracksGeneration: Bool { get }
    /// What a create resets or derives (status cleared, a Job's selector from its uid); `ctx` says who creates.
    func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext)
    /// Which part of the stored object this write may change: `ctx.subresource` is nil (everything but
    /// status), "status" (status only), or a subresource of the kind's own (a CSR's approval).
    func prepareForUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext)
    /// The kind's own rules (ObjectMeta is checked by the store with `nameRule`).
    func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError]
    func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError]
    /// Warnings a successful write is answered with (upstream's WarningsOnCreate/WarningsOnUpdate).
    func warnings(_ obj: JSON, old: JSON?) -> [String]
    /// Last touches before storing (upstream's Canonicalize), e.g. status fields upstream always sends.
    func canonicalize(_ obj: inout JSON)
    /// Resources the write takes from a shared pool (a Service's cluster IP and node ports), before it is
    /// validated; the returned finisher gives them back if the write does not happen.
    func beginCreate(_ obj: inout JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher?
    func beginUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher?

    // MARK: deletion

    /// Seconds a delete waits before the object may go (a pod's grace period); 0 for most kinds.
    func gracePeriod(_ obj: JSON, requested: Int64?) -> Int64
    /// True when an object being deleted stays until someone else finishes it, even with no finalizers left
    /// (a pod whose node is stopping it, a namespace being emptied).
    func waitsForGracefulDeletion(_ obj: JSON) -> Bool
    /// True when a delete of this object can never be immediate (a namespace with finalizers in its spec).
    func waitsOnDelete(_ obj: JSON) -> Bool
    /// Marks an object whose deletion waits (a namespace's phase becomes Terminating).
    func markTerminating(_ obj: inout JSON)
    /// Called once an object is gone from the store (pooled resources given back).
    func afterDelete(_ obj: JSON, _ store: ObjectStore) async
    /// Whether DELETE answers with the deleted object (upstream's ReturnDeletedObject) or a Status.
    var returnsDeletedObject: Bool { get }

    // MARK: reads

    /// `kubectl get` columns.
    var tableColumns: [TableColumn] { get }
    /// Field paths fieldSelector accepts besides metadata.name (and metadata.namespace for namespaced kinds).
    var selectableFields: [String] { get }
    /// The autoscaling/v1 Scale view, for kinds with a `scale` subresource.
    var scale: ScaleSubresource? { get }
    /// What the OpenAPI documents publish for the kind.
    var openAPI: ResourceOpenAPI { get }
}

/// Called once a write is decided: committed with what was stored, or abandoned (failed, dry run, no change).
public typealias WriteFinisher = @Sendable (_ outcome: WriteOutcome) -> Void

public enum WriteOutcome: Sendable {
    case stored(JSON)
    /// A write that ended the object's life (its last finalizer removed).
    case deleted(JSON)
    case abandoned
}
