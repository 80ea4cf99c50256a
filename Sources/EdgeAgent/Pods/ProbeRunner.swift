import EdgeAPI
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// One probe attempt (tcpSocket, httpGet, exec) against a container, as
/// kubelet runs them: inside the pod's network namespace, with the probe's timeout.
struct ProbeRunner: Sendable {
    let netnsPath: String
    let ports: [String: Int]
    let exec: (@Sendable ([String], Duration) async -> (ok: Bool, output: String))?

    enum Outcome: Sendable, Equatable {
        case success
        case failure(String)
    }

    func run(_ probe: JSON) async -> Outcome {
        let timeout = Duration.seconds(clamping: max(1, probe["timeoutSeconds"]?.int ?? 1))
        if let t = probe["tcpSocket"] {
            guard let port = port(t["port"]) else { return .failure("unknown port \(t["port"].map(JSONSerializer.string) ?? "")") }
            return await tcp(port: port, timeout: timeout)
        }
        if let h = probe["httpGet"] {
            guard let port = port(h["port"]) else { return .failure("unknown port \(h["port"].map(JSONSerializer.string) ?? "")") }
            let path = h["path"]?.string ?? "/"
            let headers = (h["httpHeaders"]?.array ?? []).compactMap { e -> (String, String)? in
                guard let n = e["name"]?.string else { return nil }
                return (n, e["value"]?.string ?? "")
            }
            return await http(port: port, path: path.isEmpty ? "/" : path, headers: headers, timeout: timeout)
        }
        if let e = probe["exec"] {
            let cmd = (e["command"]?.array ?? []).compactMap { $0.string }
            guard let exec else { return .failure("exec probes are not available on this node") }
            let r = await exec(cmd, timeout)
            return r.ok ? .success : .failure("command \(cmd) failed: \(r.output)")
        }
        return .failure("probe has no handler (tcpSocket, httpGet or exec)")
    }

    /// A TCP port (1...65535) from a number or a container port's name; anything else fails the probe, not the agent.
    func port(_ p: JSON?) -> Int? {
        let n: Int?
        if let i = p?.int { n = (1...65535).contains(i) ? Int(i) : nil } else if let s = p?.string { n = UInt16(s).map(Int.init) ?? ports[s] } else { n = nil }
        guard let n, (1...65535).contains(n) else { return nil }
        return n
    }

    func tcp(port: Int, timeout: Duration) async -> Outcome {
        let ns = netnsPath
        return (try? await Blocking.run { () -> Outcome in
            let fd = Self.connect(netns: ns, port: port, timeout: timeout)
            guard fd >= 0 else { return .failure("dial tcp 127.0.0.1:\(port): connect: connection refused") }
            close(fd)
            return .success
        }) ?? .failure("probe could not run")
    }

    func http(port: Int, path: String, headers: [(String, String)], timeout: Duration) async -> Outcome {
        let ns = netnsPath
        return (try? await Blocking.run { () -> Outcome in
            let fd = Self.connect(netns: ns, port: port, timeout: timeout)
            guard fd >= 0 else { return .failure("Get \"http://127.0.0.1:\(port)\(path)\": dial tcp: connect: connection refused") }
            defer { close(fd) }
            var req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: kube-probe/1.37\r\nAccept: */*\r\nConnection: close\r\n"
            for (k, v) in headers { req += "\(k): \(v)\r\n" }
            req += "\r\n"
            let bytes = Array(req.utf8)
            guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
                return .failure("failed to send the probe request")
            }
            var buf = [UInt8](repeating: 0, count: 256)
            var got: [UInt8] = []
            let deadline = ContinuousClock.now + timeout
            while !got.contains(0x0A) && ContinuousClock.now < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, Self.milliseconds(deadline - ContinuousClock.now)) > 0 else { break }
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                got += buf[0..<n]
            }
            let line = String(decoding: got.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
            let parts = line.split(separator: " ")
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
                return .failure("Get \"http://127.0.0.1:\(port)\(path)\": context deadline exceeded")
            }
            return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
        }) ?? .failure("probe could not run")
    }

    /// A poll(2) timeout, at least 1 ms.
    static func milliseconds(_ d: Duration) -> Int32 {
        Int32(clamping: max(1, d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000))
    }

    /// A connected TCP socket to the pod's own loopback at port, or -1.
    static func connect(netns: String, port: Int, timeout: Duration) -> Int32 {
        let fd = NetworkNamespace.tcpSocket(in: netns)
        guard fd >= 0 else { return -1 }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 && errno != EINPROGRESS { close(fd); return -1 }
        if rc != 0 {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ms = milliseconds(timeout)
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            guard poll(&pfd, 1, ms) == 1, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, err == 0 else { close(fd); return -1 }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return fd
    }
}
