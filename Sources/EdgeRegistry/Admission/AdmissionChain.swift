import EdgeAPI

/// The ordered admission steps every write passes: all mutating steps first,
/// in order, then all validating steps, in order (upstream's
/// --enable-admission-plugins order). The store runs it inside its write
/// paths, so the object judged is the object written.
public struct AdmissionChain: Sendable {
    public private(set) var steps: [any AdmissionStep]

    public init(_ steps: [any AdmissionStep]) {
        self.steps = steps
    }

    /// edgectl's plugins in upstream's order.
    public static let standard = AdmissionChain([
        NamespaceLifecycleAdmission(),
        ServiceAccountAdmission(),
        NodeRestrictionAdmission(),
        DefaultTolerationSecondsAdmission(),
        PodSecurityAdmission(),
    ])

    /// No steps (tests of the store alone).
    public static let none = AdmissionChain([])

    /// Adds a step after the others (or before the one named `before`).
    public mutating func add(_ step: any AdmissionStep, before: String? = nil) {
        if let before, let i = steps.firstIndex(where: { $0.name == before }) {
            steps.insert(step, at: i)
        } else {
            steps.append(step)
        }
    }

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        for case let step as any MutatingAdmissionStep in steps { try await step.admit(&request, store) }
    }

    public func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws {
        for case let step as any ValidatingAdmissionStep in steps { try await step.validate(request, store) }
    }
}
