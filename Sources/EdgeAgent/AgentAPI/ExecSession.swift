import EdgeAPI
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// One `kubectl exec` after the WebSocket upgrade: binary messages whose first
/// byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255
/// close-stream in v5) bridged to the process's pipes or pty, which NIO reads
/// as pipe channels on this connection's event loop (so all state here is
/// touched from one thread). Ends with the exit Status on channel 3 and a
/// normal close, once the process exited and its output is drained.
final class ExecSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Stream: UInt8 { case stdin = 0, stdout = 1, stderr = 2, status = 3, resize = 4, closeStream = 255 }

    let options: ExecOptions
    let target: ExecTarget
    let protocolName: String
    let launch: ExecLauncher
    /// After the process exited, how long output still held open (by a background child) is waited for.
    var drainGrace: TimeAmount = .seconds(2)

    private var context: ChannelHandlerContext?
    private var parser = WebSocketParser(requireMasked: true)
    private var process: LaunchedProcess?
    private var input: Channel?
    private var pendingInput: [ByteBuffer] = []
    private var closeInputWhenReady = false
    private var outputs: [ObjectIdentifier: Channel] = [:]
    private var openOutputs = 0
    private var exitCode: Int32?
    private var finished = false
    private var connectionOpen = true

    init(options: ExecOptions, target: ExecTarget, protocolName: String, launch: @escaping ExecLauncher) {
        self.options = options
        self.target = target
        self.protocolName = protocolName
        self.launch = launch
    }

    var closeSignalSupported: Bool { protocolName.hasPrefix("v5.") }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Tells the client the streams are up, on the lowest channel it reads (as kubelet).
        let first: Stream = options.stdout ? .stdout : options.stderr ? .stderr : .status
        send(first, [])
        flush()
        start()
    }

    private func start() {
        guard let context else { return }
        let p: LaunchedProcess
        do {
            p = try launch(target, options)
        } catch {
            finish(status: ExecStatus.internalError("\(error)"))
            return
        }
        process = p
        let loop = context.eventLoop
        if let t = p.terminal {
            attach(fd: t, stream: .stdout, alsoInput: options.stdin, loop: loop)
        } else {
            if let fd = p.stdout { attach(fd: fd, stream: .stdout, alsoInput: false, loop: loop) }
            if let fd = p.stderr { attach(fd: fd, stream: .stderr, alsoInput: false, loop: loop) }
            if let fd = p.stdin { attachInput(fd: fd, loop: loop) }
        }
        pollExit(every: .milliseconds(20))
    }

    // MARK: process side

    private func attach(fd: Int32, stream: Stream, alsoInput: Bool, loop: EventLoop) {
        openOutputs += 1
        let reader = PipeReader(
            onData: { [weak self] buf in self?.output(stream, buf) },
            onEnd: { [weak self] ch in self?.outputEnded(ch) })
        let bootstrap = NIOPipeBootstrap(group: loop).channelInitializer { ch in
            ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(reader) }
        }
        let future = alsoInput ? bootstrap.takingOwnershipOfDescriptor(inputOutput: fd) : bootstrap.takingOwnershipOfDescriptor(input: fd)
        future.whenComplete { [self] result in
            switch result {
            case .success(let ch):
                outputs[ObjectIdentifier(ch)] = ch
                if alsoInput { inputReady(ch) }
                if !connectionOpen || finished { ch.close(promise: nil) }
            case .failure:
                close(fd)
                openOutputs -= 1
                maybeFinish()
            }
        }
    }

    private func attachInput(fd: Int32, loop: EventLoop) {
        NIOPipeBootstrap(group: loop).takingOwnershipOfDescriptor(output: fd).whenComplete { [self] result in
            switch result {
            case .success(let ch): inputReady(ch)
            case .failure: close(fd)
            }
        }
    }

    private func inputReady(_ ch: Channel) {
        input = ch
        for b in pendingInput { ch.write(b, promise: nil) }
        pendingInput = []
        ch.flush()
        if closeInputWhenReady { closeInput() }
    }

    private func output(_ stream: Stream, _ buf: ByteBuffer) {
        guard let context, connectionOpen else { return }
        var frame = context.channel.allocator.buffer(capacity: buf.readableBytes + 11)
        frame.writeBytes(WebSocketFrame(opcode: .binary, payload: [stream.rawValue] + Array(buf.readableBytesView)).encoded())
        context.writeAndFlush(NIOAny(frame), promise: nil)
        // A slow client slows the process down instead of filling memory.
        if !context.channel.isWritable { setOutputsReading(false) }
    }

    private func outputEnded(_ ch: Channel) {
        guard outputs.removeValue(forKey: ObjectIdentifier(ch)) != nil else { return }
        if ch === input { input = nil }
        openOutputs -= 1
        maybeFinish()
    }

    private func setOutputsReading(_ on: Bool) {
        for ch in outputs.values { ch.setOption(ChannelOptions.autoRead, value: on).whenSuccess { if on { ch.read() } } }
    }

    private func pollExit(every interval: TimeAmount) {
        guard let context else { return }
        context.eventLoop.scheduleTask(in: interval) { [self] in
            guard let p = process else { return }
            if let code = p.pollExit() {
                exited(code)
            } else {
                // Nobody is listening any more: only reap it, rarely.
                pollExit(every: connectionOpen ? .milliseconds(50) : .seconds(1))
            }
        }
    }

    private func exited(_ code: Int32) {
        exitCode = code
        maybeFinish()
        guard let context, !finished else { return }
        context.eventLoop.scheduleTask(in: drainGrace) { [self] in
            for ch in outputs.values { ch.close(promise: nil) }
        }
    }

    private func maybeFinish() {
        guard let code = exitCode, openOutputs == 0 else { return }
        finish(status: ExecStatus.exited(code, command: options.command))
    }

    // MARK: client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buf = unwrapInboundIn(data)
        let events: [WebSocketParser.Event]
        do {
            events = try parser.feed(Array(buf.readableBytesView))
        } catch {
            closeConnection(code: error.closeCode, reason: error.description)
            return
        }
        for e in events {
            switch e {
            case .message(_, let payload):
                guard let id = payload.first else { continue }
                clientMessage(channel: id, Array(payload.dropFirst()))
            case .ping(let p):
                write(WebSocketFrame(opcode: .pong, payload: p))
                flush()
            case .pong:
                break
            case .close(let code, _):
                closeConnection(code: code ?? 1000, reason: "")
                return
            }
        }
    }

    private func clientMessage(channel id: UInt8, _ data: [UInt8]) {
        switch Stream(rawValue: id) {
        case .stdin?:
            guard options.stdin, !data.isEmpty, let context else { return }
            let b = context.channel.allocator.buffer(bytes: data)
            if let input { input.writeAndFlush(b, promise: nil) } else { pendingInput.append(b) }
        case .resize?:
            guard let size = try? JSONParser.parse(data), let w = size["Width"]?.int, let h = size["Height"]?.int,
                  (0...0xFFFF).contains(w), (0...0xFFFF).contains(h) else { return }
            // The client's numbers: a window size past 16 bits (or below 0) is clamped, not trapped on.
            process?.resize(UInt16(clamping: w), UInt16(clamping: h))
        case .closeStream? where closeSignalSupported:
            if data.first == Stream.stdin.rawValue {
                if input == nil { closeInputWhenReady = true } else { closeInput() }
            }
        default:
            break
        }
    }

    private func closeInput() {
        guard let input else { return }
        if options.tty {
            // The terminal stays (it is stdout too): end of input is the EOF character, as a typed ^D.
            input.writeAndFlush(input.allocator.buffer(bytes: [0x04]), promise: nil)
        } else {
            input.close(promise: nil)
            self.input = nil
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { setOutputsReading(true) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went away: the process sees its input end and a hang-up; it is still reaped.
        connectionOpen = false
        releaseProcessSide()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: ending

    private func finish(status: [UInt8]) {
        guard !finished, connectionOpen, let context else { return }
        finished = true
        send(.status, status)
        write(.close(code: 1000))
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in context.close(promise: nil) }
        releaseProcessSide()
    }

    private func closeConnection(code: UInt16, reason: String) {
        guard let context, connectionOpen else { return }
        finished = true
        write(.close(code: code, reason: reason))
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in context.close(promise: nil) }
    }

    private func releaseProcessSide() {
        input?.close(promise: nil)
        input = nil
        for ch in outputs.values { ch.close(promise: nil) }
    }

    private func send(_ stream: Stream, _ bytes: [UInt8]) {
        write(WebSocketFrame(opcode: .binary, payload: [stream.rawValue] + bytes))
    }

    private func write(_ frame: WebSocketFrame) {
        guard let context else { return }
        context.write(NIOAny(context.channel.allocator.buffer(bytes: frame.encoded())), promise: nil)
    }

    private func flush() { context?.flush() }
}
