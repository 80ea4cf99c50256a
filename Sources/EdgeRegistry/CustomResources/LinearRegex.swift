/// A regular expression matcher that runs in time linear in the text (a
/// Thompson NFA simulated state set by state set, as RE2 and Go's regexp do),
/// for the RE2 syntax CRD `pattern`s use: literals, `.`, classes with ranges
/// and negation, `\d \w \s \b` and their negations, anchors, groups,
/// alternation, `* + ?` and `{m,n}` (lazy forms match the same). A
/// backtracking engine takes exponential time on patterns such as
/// `^(a+)+$`, which upstream accepts; any client creating objects could
/// then stall the server. `init` answers nil for syntax outside this subset.
/// Matching is a search, as Go's MatchString: unanchored unless the pattern anchors.
struct LinearRegex: Sendable {
    struct CharSet: Sendable {
        var ranges: [ClosedRange<UInt32>]
        var negated: Bool
        func contains(_ c: UInt32) -> Bool { ranges.contains { $0.contains(c) } != negated }
    }

    enum Inst: Sendable {
        case char(CharSet)
        case any
        case split(Int, Int)
        case jmp(Int)
        case bol, eol
        case wordBoundary(Bool)
        case match
    }

    indirect enum Node {
        case empty
        case set(CharSet)
        case any
        case concat([Node])
        case alt([Node])
        case star(Node)
        case plus(Node)
        case quest(Node)
        case bol, eol
        case wordBoundary(Bool)
    }

    static let maxRepeat = 1000
    static let maxProgram = 20_000

    let program: [Inst]

    init?(_ pattern: String) {
        var p = Parser(Array(pattern.unicodeScalars))
        guard let node = p.alternation(), p.i == p.s.count, !p.failed else { return nil }
        var c = Compiler()
        guard c.emit(node) else { return nil }
        c.prog.append(.match)
        guard c.prog.count <= Self.maxProgram else { return nil }
        program = c.prog
    }

    func matches(_ text: String) -> Bool {
        let s = text.unicodeScalars.map(\.value)
        var mark = [Int](repeating: -1, count: program.count)
        var generation = 0
        /// Follows the empty transitions from `pc` at `pos`; true when the program matches there.
        func add(_ pc: Int, _ pos: Int, _ list: inout [Int]) -> Bool {
            var stack = [pc]
            while let pc = stack.popLast() {
                if mark[pc] == generation { continue }
                mark[pc] = generation
                switch program[pc] {
                case .jmp(let t): stack.append(t)
                case .split(let a, let b): stack.append(b); stack.append(a)
                case .bol: if pos == 0 { stack.append(pc + 1) }
                case .eol: if pos == s.count { stack.append(pc + 1) }
                case .wordBoundary(let want):
                    let before = pos > 0 && Self.isWord(s[pos - 1])
                    let after = pos < s.count && Self.isWord(s[pos])
                    if (before != after) == want { stack.append(pc + 1) }
                case .match: return true
                case .char, .any: list.append(pc)
                }
            }
            return false
        }
        var current: [Int] = []
        var next: [Int] = []
        if add(0, 0, &current) { return true }
        for pos in 0..<s.count {
            generation += 1
            next.removeAll(keepingCapacity: true)
            let c = s[pos]
            for pc in current {
                switch program[pc] {
                case .char(let set): if set.contains(c), add(pc + 1, pos + 1, &next) { return true }
                case .any: if c != 10, add(pc + 1, pos + 1, &next) { return true }
                default: break
                }
            }
            // A search: a new attempt starts at every position (a leading ^ stops it past 0).
            if add(0, pos + 1, &next) { return true }
            swap(&current, &next)
        }
        return false
    }

    static func isWord(_ c: UInt32) -> Bool {
        (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) || c == 95
    }

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        /// A repeat count past RE2's limit (1000): an invalid pattern, not a literal brace.
        var failed = false
        init(_ s: [Unicode.Scalar]) { self.s = s }

        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

        mutating func alternation() -> Node? {
            var branches: [Node] = []
            guard let first = concat() else { return nil }
            branches.append(first)
            while peek == "|" {
                i += 1
                guard let b = concat() else { return nil }
                branches.append(b)
            }
            return branches.count == 1 ? branches[0] : .alt(branches)
        }

        mutating func concat() -> Node? {
            var items: [Node] = []
            while let c = peek, c != "|", c != ")" {
                guard let a = atom(), let r = quantified(a) else { return nil }
                items.append(r)
            }
            return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
        }

        mutating func quantified(_ atom: Node) -> Node? {
            var node = atom
            while let c = peek {
                switch c {
                case "*": i += 1; node = .star(node)
                case "+": i += 1; node = .plus(node)
                case "?": i += 1; node = .quest(node)
                case "{":
                    guard let (lo, hi) = braces() else { return node } // a literal `{`, as RE2 reads it
                    node = Self.repeated(node, lo, hi)
                default: return node
                }
                if peek == "?" { i += 1 } // lazy: the same language
            }
            return node
        }

        /// `{n}`, `{n,}`, `{n,m}`; nil (and nothing consumed) when the brace is not a repetition.
        mutating func braces() -> (Int, Int?)? {
            let start = i
            i += 1
            func number() -> Int? {
                var n = 0, digits = 0
                while let c = peek, let d = Int(String(c)), c.isASCII {
                    n = n * 10 + d
                    digits += 1
                    i += 1
                    if n > LinearRegex.maxRepeat { failed = true; return nil }
                }
                return digits > 0 ? n : nil
            }
            guard let lo = number() else { i = start; return nil }
            var hi: Int? = lo
            if peek == "," {
                i += 1
                hi = peek == "}" ? nil : number()
                if hi == nil && peek != "}" { i = start; return nil }
            }
            guard peek == "}", hi.map({ $0 >= lo }) ?? true else { i = start; return nil }
            i += 1
            return (lo, hi)
        }

        static func repeated(_ n: Node, _ lo: Int, _ hi: Int?) -> Node {
            var items = Array(repeating: n, count: lo)
            if let hi {
                if hi > lo { items += Array(repeating: .quest(n), count: hi - lo) }
            } else {
                items.append(.star(n))
            }
            return items.isEmpty ? .empty : .concat(items)
        }

        mutating func atom() -> Node? {
            guard let c = peek else { return nil }
            i += 1
            switch c {
            case "(":
                if peek == "?" {
                    guard i + 1 < s.count, s[i + 1] == ":" else { return nil } // flags, named groups: not here
                    i += 2
                } 
                guard let inner = alternation(), peek == ")" else { return nil }
                i += 1
                return inner
            case ".": return .any
            case "^": return .bol
            case "$": return .eol
            case "[": return charClass()
            case "\\": return escape(inClass: false)
            case "*", "+", "?": return nil
            default: return .set(CharSet(ranges: [c.value...c.value], negated: false))
            }
        }

        mutating func charClass() -> Node? {
            var negated = false
            if peek == "^" { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while let c = peek, c != "]" || first {
                first = false
                if c == "[" && i + 1 < s.count && s[i + 1] == ":" { return nil } // POSIX classes: not here
                var lo: UInt32
                if c == "\\" {
                    i += 1
                    guard let e = escape(inClass: true) else { return nil }
                    guard case .set(let set) = e else { return nil }
                    if set.ranges.count != 1 || set.negated || set.ranges[0].count != 1 {
                        if set.negated { return nil } // \D inside a class: not here
                        ranges += set.ranges
                        continue
                    }
                    lo = set.ranges[0].lowerBound
                } else {
                    lo = c.value
                    i += 1
                }
                if peek == "-", i + 1 < s.count, s[i + 1] != "]" {
                    i += 1
                    guard let h = peek else { return nil }
                    var hiValue = h.value
                    if h == "\\" {
                        i += 1
                        guard case .set(let set)? = escape(inClass: true), set.ranges.count == 1, !set.negated else { return nil }
                        hiValue = set.ranges[0].lowerBound
                    } else {
                        i += 1
                    }
                    guard hiValue >= lo else { return nil }
                    ranges.append(lo...hiValue)
                } else {
                    ranges.append(lo...lo)
                }
            }
            guard peek == "]" else { return nil }
            i += 1
            return .set(CharSet(ranges: ranges, negated: negated))
        }

        static let digit: [ClosedRange<UInt32>] = [48...57]
        static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
        static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]

        mutating func escape(inClass: Bool) -> Node? {
            guard let c = peek else { return nil }
            i += 1
            func one(_ v: UInt32) -> Node { .set(CharSet(ranges: [v...v], negated: false)) }
            switch c {
            case "d": return .set(CharSet(ranges: Self.digit, negated: false))
            case "D": return .set(CharSet(ranges: Self.digit, negated: true))
            case "w": return .set(CharSet(ranges: Self.word, negated: false))
            case "W": return .set(CharSet(ranges: Self.word, negated: true))
            case "s": return .set(CharSet(ranges: Self.space, negated: false))
            case "S": return .set(CharSet(ranges: Self.space, negated: true))
            case "t": return one(9)
            case "n": return one(10)
            case "r": return one(13)
            case "f": return one(12)
            case "v": return one(11)
            case "b": return inClass ? nil : .wordBoundary(true)
            case "B": return inClass ? nil : .wordBoundary(false)
            case "A": return inClass ? nil : .bol
            case "z": return inClass ? nil : .eol
            case "x":
                var hex = ""
                if peek == "{" {
                    i += 1
                    while let h = peek, h != "}" { hex.unicodeScalars.append(h); i += 1 }
                    guard peek == "}" else { return nil }
                    i += 1
                } else {
                    for _ in 0..<2 { guard let h = peek else { return nil }; hex.unicodeScalars.append(h); i += 1 }
                }
                guard let v = UInt32(hex, radix: 16), v <= 0x10FFFF else { return nil }
                return one(v)
            default:
                // Escaped punctuation is itself; letters and digits with other meanings are not supported here.
                guard c.isASCII, !(c.properties.isAlphabetic || ("0"..."9").contains(c)) else { return nil }
                return one(c.value)
            }
        }
    }

    struct Compiler {
        var prog: [Inst] = []

        mutating func emit(_ n: Node) -> Bool {
            guard prog.count <= LinearRegex.maxProgram else { return false }
            switch n {
            case .empty: break
            case .set(let s): prog.append(.char(s))
            case .any: prog.append(.any)
            case .bol: prog.append(.bol)
            case .eol: prog.append(.eol)
            case .wordBoundary(let b): prog.append(.wordBoundary(b))
            case .concat(let items): for x in items { guard emit(x) else { return false } }
            case .alt(let branches):
                var jumps: [Int] = []
                for (k, b) in branches.enumerated() {
                    if k < branches.count - 1 {
                        let split = prog.count
                        prog.append(.split(split + 1, -1))
                        guard emit(b) else { return false }
                        jumps.append(prog.count)
                        prog.append(.jmp(-1))
                        prog[split] = .split(split + 1, prog.count)
                    } else {
                        guard emit(b) else { return false }
                    }
                }
                for j in jumps { prog[j] = .jmp(prog.count) }
            case .star(let x):
                let split = prog.count
                prog.append(.split(split + 1, -1))
                guard emit(x) else { return false }
                prog.append(.jmp(split))
                prog[split] = .split(split + 1, prog.count)
            case .plus(let x):
                let start = prog.count
                guard emit(x) else { return false }
                prog.append(.split(start, prog.count + 1))
            case .quest(let x):
                let split = prog.count
                prog.append(.split(split + 1, -1))
                guard emit(x) else { return false }
                prog[split] = .split(split + 1, prog.count)
            }
            return true
        }
    }
}
