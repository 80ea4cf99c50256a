/// The FieldsV1 keys of a list's elements under its list type: `k:{...}` for a
/// map list, `v:...` for a set. A list whose elements cannot be told apart (a
/// map-list element without a key field and no default, a repeated key or
/// value) has no keys: apply refuses it, tracking treats it as atomic.
enum ListElementKeys {
    struct Failure: Error {
        var message: String
    }

    static func keys(_ list: [JSON], _ listType: ListType, defaults: [String: JSON]) -> Result<[String], Failure> {
        var out: [String] = []
        out.reserveCapacity(list.count)
        var seen = Set<String>()
        for (i, element) in list.enumerated() {
            let text: String
            switch listType {
            case .atomic:
                return .failure(Failure(message: "an atomic list has no element keys"))
            case .set:
                if element.object != nil || element.array != nil {
                    return .failure(Failure(message: "element \(i): associative list without keys has an element that's a map type"))
                }
                text = PathElement.value(element).text
            case .map(let names):
                guard let o = element.object else {
                    return .failure(Failure(message: "element \(i): associative list with keys has an element that's not a map type"))
                }
                var fields: [(String, JSON)] = []
                for name in names {
                    if let v = o[name], !v.isNull {
                        fields.append((name, v))
                    } else if let d = defaults[name] {
                        fields.append((name, d))
                    } else {
                        return .failure(Failure(message: "element \(i): associative list with keys has an element that omits key field \"\(name)\" (and doesn't have default value)"))
                    }
                }
                text = PathElement.key(fields).text
            }
            if !seen.insert(text).inserted {
                let shown = PathElement(text: text)?.pathText ?? text
                return .failure(Failure(message: "duplicate entries for key \(shown)"))
            }
            out.append(text)
        }
        return .success(out)
    }
}
