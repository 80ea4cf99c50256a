import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion inside a running container, with the
/// container's identity and confinement, collecting its output: exec probes
/// and preStop hooks. A command past its timeout is killed and fails.
public enum ExecInContainer {
    public static func run(_ r: PodManager.ExecRequest) async -> (ok: Bool, output: String) {
        (try? await Blocking.run { runBlocking(r) }) ?? (false, "exec could not run")
    }

    static func runBlocking(_ r: PodManager.ExecRequest) -> (ok: Bool, output: String) {
        let p: ContainerExec.Process
        do { p = try ContainerExec.start(r.target.execSpec(r.command)) } catch { return (false, "\(error)") }
        var output: [UInt8] = []
        var open = [p.stdout, p.stderr].compactMap { $0 }
        let deadline = ContinuousClock.now + r.timeout
        var buf = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty && ContinuousClock.now < deadline {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 100) >= 0 || errno == EINTR else { break }
            for f in fds where f.revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, $0.count) }
                if n > 0 { if output.count < 10240 { output += buf[0..<n] } } else { close(f.fd); open.removeAll { $0 == f.fd } }
            }
        }
        open.forEach { close($0) }
        var exit = ContainerExec.poll(p.pid)
        while exit == nil && ContinuousClock.now < deadline {
            usleep(10_000)
            exit = ContainerExec.poll(p.pid)
        }
        let text = String(decoding: output, as: UTF8.self)
        guard let exit else {
            kill(p.pid, SIGKILL)
            while ContainerExec.poll(p.pid) == nil { usleep(5_000) }
            return (false, "command timed out after \(r.timeout.components.seconds)s")
        }
        if case .exited(0) = exit { return (true, text) }
        return (false, text.isEmpty ? "\(exit)" : text)
    }
}
