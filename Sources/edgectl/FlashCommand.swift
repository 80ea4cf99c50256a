import EdgeCommandLine
import EdgeBoards
#if canImport(Glibc)
import Glibc
#endif

/// `edgectl flash`: a card (or an image file) that joins the cluster at first boot.
struct FlashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Prepare a card that joins the cluster at first boot: the OS image, the edgectl binary for the board, join settings, kernel arguments, hostname and a first-boot hook.",
        discussion: "Everything is checked, and the image prepared in a staging file, before the card or --output is written."
    )

    @Option(help: "The board (`edgectl boards list`).") var board: String
    @Option(help: "The OS image, raw (.img) or xz-compressed (.img.xz).") var image: String
    @Option(help: "The server, https://IP:6443.") var server: String
    @Option(help: "A join token from `edgectl token create` (0600 on the card; removed after the join).") var token: String
    @Option(help: "sha256:<hex> of the cluster CA, printed with the token.") var caCertHash: String
    @Option(help: "The board's host name and node name (default: <board>-<4 hex digits>).") var hostname: String?
    @Option(help: "An SSH public key file for root's authorized_keys.") var sshKey: String?
    @Option(help: "Wi-Fi network, SSID:PSK.") var wifi: String?
    @Option(help: "The card's block device, e.g. /dev/sdb (written with progress, then read back).") var device: String?
    @Option(help: "Write an image file instead of a card.") var output: String?
    @Option(help: "The edgectl binary for the board's architecture (default: this one).") var binary: String?
    @Option(help: "Where to stage the image (default: beside --output, or $TMPDIR for a device).") var workDir: String?
    @Flag(help: "Do not contact the server to check the CA hash and token.") var offline = false
    @Flag(help: "Overwrite an existing --output file.") var force = false

    func validate() throws {
        guard (device == nil) != (output == nil) else { throw ValidationError("give exactly one of --device or --output") }
        guard server.hasPrefix("https://") else { throw ValidationError("--server must start with https://, got \(server)") }
        guard JoinFlow.validToken(token) else { throw ValidationError("--token must look like abcdef.0123456789abcdef (from `edgectl token create`)") }
        guard JoinFlow.validHash(caCertHash) else { throw ValidationError("--ca-cert-hash must be sha256: followed by 64 hex digits") }
        if let hostname, !FlashSettings.validHostname(hostname) {
            throw ValidationError("--hostname must be lower-case letters, digits and '-', at most 63, got \(hostname)")
        }
    }

    func run() async throws {
        let catalog = try BoardCatalog.builtIn()
        guard let profile = catalog.profile(named: board) else {
            throw FlashFailure("no board named \(board): `edgectl boards list` shows the known ones")
        }
        guard HostRoot("/").exists(image) else { throw FlashFailure("no image at \(image)") }
        let key = try sshKey.map { path -> String in
            guard let text = HostRoot("/").read(path, limit: 65536) else { throw FlashFailure("cannot read --ssh-key \(path)") }
            return try FlashSettings.checkSSHKey(text)
        }
        let wifiSettings = try wifi.map(FlashSettings.parseWifi)
        let instance = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = hostname ?? "\(profile.name)-\(instance.prefix(4))"
        let settings = FlashSettings(board: profile, server: server, token: token, caCertHash: caCertHash.lowercased(), hostname: name,
                                     sshKey: key, wifi: wifiSettings, binary: binary ?? AgentRunner.selfExecutable())
        if let output, HostRoot("/").exists(output), !force { throw FlashFailure("\(output) exists: pass --force to overwrite it") }

        if !offline {
            switch await FlashServerCheck.run(server: server, token: token, caCertHash: settings.caCertHash) {
            case .accepted: print("server \(server): CA matches, token accepted")
            case .unreachable(let why): print("warning: could not check the token with the server (\(why)); the board will try at first boot")
            case .refused(let why): throw FlashFailure("nothing was written: " + why)
            }
        }

        let staging = stagingPath()
        defer { unlink(staging) }
        print("unpacking \(image) to \(staging) ...")
        fflush(nil)
        try unpack(to: staging)
        let plan: FlashPlan
        do {
            let file = try ImageFile(path: staging)
            plan = try FlashPlan.make(image: file, settings: settings, instance: instance)
            if let device { _ = try CardWriter.check(device: device, imageSize: file.size) }
        } catch {
            throw FlashFailure("nothing was written: \(error)")
        }
        for n in plan.notes { print("  " + n) }
        try plan.apply(to: staging)
        if let output {
            guard rename(staging, output) == 0 else { throw FlashFailure("cannot move the image to \(output): \(String(cString: strerror(errno)))") }
            print("wrote \(output): board \(profile.name), host \(name); it joins \(server) at first boot")
            return
        }
        try CardWriter.write(image: staging, device: device!) { line in
            let text = "\r" + line + "   "
            _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
        }
        _ = "\n".withCString { Glibc.write(2, $0, 1) }
        print("wrote and verified \(device!): board \(profile.name), host \(name); it joins \(server) at first boot")
    }

    func stagingPath() -> String {
        let dir = workDir ?? output.map { o in o.contains("/") ? String(o[..<o.lastIndex(of: "/")!]) : "." }
            ?? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        return dir + "/.edgectl-flash-\(getpid()).img"
    }

    /// The image as a raw disk in the staging file: xz -dc for .xz, a copy otherwise.
    func unpack(to staging: String) throws {
        if image.hasSuffix(".xz") {
            let r = try Subprocess.run(["xz", "-dc", "--", image], stdoutFile: staging)
            guard r.succeeded else { throw FlashFailure("nothing was written: cannot unpack \(image): \(r.errorText)") }
        } else {
            let r = try Subprocess.run(["cp", "--sparse=always", "--", image, staging])
            guard r.succeeded else { throw FlashFailure("nothing was written: cannot copy \(image): \(r.errorText)") }
            chmod(staging, 0o600)
        }
    }
}

/// A refusal or failure after the flags parsed: the message, without the usage text.
struct FlashFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
