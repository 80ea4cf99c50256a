extension JSON {
    /// How deeply arrays and objects nest (a scalar is 0, `[]` and `{}` are 1),
    /// counted without recursion and given up past `limit`: the check that keeps a
    /// document every recursive walk can handle.
    public func nestingDepth(stoppingAfter limit: Int = .max) -> Int {
        var deepest = 0
        var stack: [(JSON, Int)] = [(self, 1)]
        while let (v, level) = stack.popLast() {
            switch v {
            case .array(let a):
                deepest = max(deepest, level)
                if deepest > limit { return deepest }
                for x in a where x.isContainer { stack.append((x, level + 1)) }
            case .object(let o):
                deepest = max(deepest, level)
                if deepest > limit { return deepest }
                for x in o.values where x.isContainer { stack.append((x, level + 1)) }
            default:
                break
            }
        }
        return deepest
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }
}
