import EdgeAPI

/// The part of kubectl's JSONPath that additionalPrinterColumns use:
/// `.spec.replicas`, `.items[0].name`, `.metadata.labels['app.kubernetes.io/name']`,
/// `.status.conditions[?(@.type=="Ready")].status`, `[*]`. Results are every
/// value the path reaches, in order.
public struct SimpleJSONPath: Sendable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    let steps: [Step]

    /// nil when the text is not a path this parser understands (the definition is refused).
    public init?(_ text: String) {
        var t = Substring(text.trimmingCharacters(in: " "))
        if t.hasPrefix("{") && t.hasSuffix("}") { t = t.dropFirst().dropLast() }
        guard t.first == "." || t.first == "[" else { return nil }
        var steps: [Step] = []
        while !t.isEmpty {
            if t.first == "." {
                t = t.dropFirst()
                let name = t.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                steps.append(.field(String(name)))
                t = t.dropFirst(name.count)
            } else if t.first == "[" {
                guard let close = t.firstIndex(of: "]") else { return nil }
                var inner = t[t.index(after: t.startIndex)..<close]
                t = t[t.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let i = Int(inner), i >= 0 {
                    steps.append(.index(i))
                } else if (inner.hasPrefix("'") && inner.hasSuffix("'")) || (inner.hasPrefix("\"") && inner.hasSuffix("\"")), inner.count >= 2 {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(@.") && inner.hasSuffix(")") {
                    inner = inner.dropFirst(4).dropLast()
                    guard let eq = inner.firstRange(of: "==") else { return nil }
                    let path = inner[..<eq.lowerBound].trimmingCharacters(in: " ").split(separator: ".").map(String.init)
                    var value = inner[eq.upperBound...].trimmingCharacters(in: " ")
                    if value.count >= 2, value.first == "\"" || value.first == "'" { value = String(value.dropFirst().dropLast()) }
                    guard !path.isEmpty else { return nil }
                    steps.append(.filter(path: path, value: value))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        guard !steps.isEmpty else { return nil }
        self.steps = steps
    }

    public func evaluate(_ obj: JSON) -> [JSON] {
        var current = [obj]
        for step in steps {
            var next: [JSON] = []
            for v in current {
                switch step {
                case .field(let f): if let c = v[f] { next.append(c) }
                case .index(let i): if let a = v.array, i < a.count { next.append(a[i]) }
                case .all:
                    if let a = v.array { next += a } else if let o = v.object { next += o.map(\.value) }
                case .filter(let path, let value):
                    for e in v.array ?? [] {
                        guard let x = e[path: path] else { continue }
                        let s = x.string ?? JSONSerializer.string(x)
                        if s == value { next.append(e) }
                    }
                }
            }
            current = next
        }
        return current
    }
}
