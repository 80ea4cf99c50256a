import NIOCore

/// PostgreSQL's frontend/backend protocol 3.0: the messages this client writes and reads.
enum PostgresFrontend {
    static let protocolVersion: Int32 = 196_608 // 3.0
    static let sslRequestCode: Int32 = 80_877_103

    static func sslRequest() -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(Int32(8))
        b.writeInteger(sslRequestCode)
        return b
    }

    static func startup(user: String, database: String) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeInteger(protocolVersion)
        for (k, v) in [("user", user), ("database", database), ("application_name", "edgectl"), ("client_encoding", "UTF8")] {
            body.writeCString(k)
            body.writeCString(v)
        }
        body.writeInteger(UInt8(0))
        var b = ByteBuffer()
        b.writeInteger(Int32(body.readableBytes + 4))
        b.writeBuffer(&body)
        return b
    }

    /// A typed message: type byte, length, body.
    static func message(_ type: UInt8, _ fill: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var body = ByteBuffer()
        fill(&body)
        var b = ByteBuffer()
        b.writeInteger(type)
        b.writeInteger(Int32(body.readableBytes + 4))
        b.writeBuffer(&body)
        return b
    }

    static func password(_ text: String) -> ByteBuffer {
        message(UInt8(ascii: "p")) { $0.writeCString(text) }
    }

    static func saslInitial(mechanism: String, _ data: [UInt8]) -> ByteBuffer {
        message(UInt8(ascii: "p")) { b in
            b.writeCString(mechanism)
            b.writeInteger(Int32(data.count))
            b.writeBytes(data)
        }
    }

    static func saslResponse(_ data: [UInt8]) -> ByteBuffer {
        message(UInt8(ascii: "p")) { $0.writeBytes(data) }
    }

    static func query(_ sql: String) -> ByteBuffer {
        message(UInt8(ascii: "Q")) { $0.writeCString(sql) }
    }

    static func parse(name: String, sql: String, types: [UInt32]) -> ByteBuffer {
        message(UInt8(ascii: "P")) { b in
            b.writeCString(name)
            b.writeCString(sql)
            b.writeInteger(Int16(types.count))
            for t in types { b.writeInteger(t) }
        }
    }

    /// Bind with every parameter and every result column in binary format.
    static func bind(statement: String, _ params: [PostgresValue]) -> ByteBuffer {
        message(UInt8(ascii: "B")) { b in
            b.writeCString("")
            b.writeCString(statement)
            b.writeInteger(Int16(1))
            b.writeInteger(Int16(1))
            b.writeInteger(Int16(params.count))
            for p in params {
                if let bytes = p.encoded {
                    b.writeInteger(Int32(bytes.count))
                    b.writeBytes(bytes)
                } else {
                    b.writeInteger(Int32(-1))
                }
            }
            b.writeInteger(Int16(1))
            b.writeInteger(Int16(1))
        }
    }

    static func execute() -> ByteBuffer {
        message(UInt8(ascii: "E")) { b in
            b.writeCString("")
            b.writeInteger(Int32(0))
        }
    }

    static func sync() -> ByteBuffer { message(UInt8(ascii: "S")) { _ in } }

    static func terminate() -> ByteBuffer { message(UInt8(ascii: "X")) { _ in } }
}

/// A message from the server: its type byte and body.
struct PostgresBackendMessage: Sendable {
    var type: UInt8
    var body: ByteBuffer

    static let authentication = UInt8(ascii: "R")
    static let errorResponse = UInt8(ascii: "E")
    static let noticeResponse = UInt8(ascii: "N")
    static let readyForQuery = UInt8(ascii: "Z")
    static let dataRow = UInt8(ascii: "D")
    static let commandComplete = UInt8(ascii: "C")
    static let notification = UInt8(ascii: "A")
    static let parameterStatus = UInt8(ascii: "S")
    static let backendKeyData = UInt8(ascii: "K")

    /// ErrorResponse/NoticeResponse fields: SQLSTATE and message.
    func errorFields() -> (code: String, message: String) {
        var b = body
        var code = "XX000"
        var message = "unknown error"
        var detail: String?
        while let field: UInt8 = b.readInteger(), field != 0 {
            let value = b.readCString() ?? ""
            switch field {
            case UInt8(ascii: "C"): code = value
            case UInt8(ascii: "M"): message = value
            case UInt8(ascii: "D"): detail = value
            default: break
            }
        }
        if let detail { message += " (\(detail))" }
        return (code, message)
    }

    /// The columns of a DataRow.
    func row() throws -> PostgresRow {
        var b = body
        guard let n: Int16 = b.readInteger(), n >= 0 else { throw PostgresError.protocolViolation("bad DataRow") }
        var cols: [[UInt8]?] = []
        cols.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let len: Int32 = b.readInteger() else { throw PostgresError.protocolViolation("short DataRow") }
            if len < 0 { cols.append(nil); continue }
            guard let bytes = b.readBytes(length: Int(len)) else { throw PostgresError.protocolViolation("short DataRow column") }
            cols.append(bytes)
        }
        return PostgresRow(columns: cols)
    }
}

extension ByteBuffer {
    mutating func writeCString(_ s: String) {
        writeString(s)
        writeInteger(UInt8(0))
    }

    mutating func readCString() -> String? {
        guard let nul = readableBytesView.firstIndex(of: 0) else { return nil }
        let len = nul - readableBytesView.startIndex
        let s = readString(length: len)
        moveReaderIndex(forwardBy: 1)
        return s
    }
}

/// Splits the server's byte stream into messages (type byte, 4-byte length including itself, body).
struct PostgresFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = PostgresBackendMessage
    /// Larger messages are refused: rows here are Kubernetes objects (1.5 MB at most upstream).
    static let maxMessage: Int32 = 64 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 5, let type: UInt8 = buffer.getInteger(at: buffer.readerIndex),
              let len: Int32 = buffer.getInteger(at: buffer.readerIndex + 1) else { return .needMoreData }
        guard len >= 4, len <= Self.maxMessage else { throw PostgresError.protocolViolation("a message of \(len) bytes") }
        guard buffer.readableBytes >= Int(len) + 1 else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 5)
        let body = buffer.readSlice(length: Int(len) - 4)!
        context.fireChannelRead(wrapInboundOut(PostgresBackendMessage(type: type, body: body)))
        return .continue
    }
}
