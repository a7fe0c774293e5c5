internal import Foundation
public import Logging
internal import NIOCore
internal import NIOWebSocket
public import NIOSSL
internal import WSClient
public import WardProtocol

/// Errors of the client library.
public enum WardClientError: Error, CustomStringConvertible, Sendable {
    case closed
    case unexpectedReply(String)
    case server(ErrorCode, String, policies: [String])

    public var description: String {
        switch self {
        case .closed: return "the server closed the connection"
        case let .unexpectedReply(type): return "unexpected reply \(type)"
        case let .server(code, message, policies):
            return "\(code.rawValue): \(message)" + (policies.isEmpty ? "" : " (policies: \(policies.joined(separator: ", ")))")
        }
    }
}

/// A connection to a Ward server: TLS WebSocket, `hello` done, requests answered in order.
/// The only code that builds protocol frames; wardctl, ward, the tests and ward-bench use it.
public final class WardConnection {
    private var inbound: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter
    private var nextID = 1
    private let encoder = JSONEncoder()
    /// The server's id from `hello`.
    public private(set) var serverID = ""

    init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        self.inbound = inbound.messages(maxSize: WireProtocol.maxFrameBytes).makeAsyncIterator()
        self.outbound = outbound
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// TLS settings that trust exactly the server certificate in `certificatePEM` (the
    /// appliance's self-signed certificate, pinned), TLS 1.2 or later.
    public static func pinnedTLS(certificatePEM: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// Connects to `url` (wss://host:port/v1/ws), says hello, and runs `body` with the
    /// connection; the connection closes when `body` returns.
    /// `greet: false` skips `hello` (for tests of what the server does without it).
    public static func withConnection<T: Sendable>(
        url: String, tls: TLSConfiguration, serverName: String? = nil, greet: Bool = true, logger: Logger,
        _ body: @escaping @Sendable (WardConnection) async throws -> T
    ) async throws -> T {
        let result = ResultBox<T>()
        try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: WireProtocol.maxFrameBytes, sniHostname: serverName),
            tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            let connection = WardConnection(inbound: inbound, outbound: outbound)
            do {
                if greet {
                    let hello = try await connection.request(ClientRequest(id: 0, type: "hello", version: WireProtocol.version))
                    connection.serverID = hello.server ?? ""
                }
                result.set(.success(try await body(connection)))
            } catch {
                result.set(.failure(error))
            }
        }
        guard let outcome = result.value else { throw WardClientError.closed }
        return try outcome.get()
    }

    /// Sends `request` (its id is assigned here) and returns the reply; an `error` reply
    /// throws `WardClientError.server`.
    @discardableResult
    public func request(_ request: ClientRequest) async throws -> ServerReply {
        let reply = try await send(request)
        if reply.type == "error" {
            throw WardClientError.server(reply.code ?? .badRequest, reply.message ?? "", policies: reply.policies ?? [])
        }
        return reply
    }

    /// Sends `request` and returns whatever reply comes, errors included.
    public func send(_ request: ClientRequest) async throws -> ServerReply {
        var request = request
        request.id = nextID
        nextID += 1
        try await sendRaw(String(decoding: try encoder.encode(request), as: UTF8.self))
        while true {
            let reply = try await receive()
            if reply.id == request.id || reply.id == nil && reply.type == "error" { return reply }
        }
    }

    /// Sends a raw text frame (for tests of malformed input).
    public func sendRaw(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// Sends a text frame whose payload is `bytes` as they are, valid UTF-8 or not (for tests of
    /// malformed input).
    public func sendTextBytes(_ bytes: [UInt8]) async throws {
        var frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
        frame.maskKey = .random()
        try await outbound.write(.custom(frame))
    }

    /// Sends a raw binary frame (for tests of malformed input).
    public func sendBinary(_ bytes: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// The next reply or event.
    public func receive() async throws -> ServerReply {
        guard let message = try await inbound.next() else { throw WardClientError.closed }
        guard case let .text(text) = message else { throw WardClientError.unexpectedReply("binary frame") }
        return try JSONDecoder().decode(ServerReply.self, from: Data(text.utf8))
    }

    // MARK: Convenience

    public func login(username: String, password: String, totp: String? = nil) async throws -> ServerReply {
        try await request(ClientRequest(id: 0, type: "login", username: username, password: password, totp: totp))
    }

    /// Starts second-factor enrolment: the secret (base32) and its otpauth URI.
    public func enrollSecondFactor() async throws -> (secret: String, uri: String) {
        let reply = try await request(ClientRequest(id: 0, type: "totp.enroll"))
        return (reply.secret ?? "", reply.uri ?? "")
    }

    /// Confirms enrolment with a current code; returns the single-use recovery codes.
    public func confirmSecondFactor(code: String) async throws -> [String] {
        try await request(ClientRequest(id: 0, type: "totp.confirm", totp: code)).recoveryCodes ?? []
    }

    public func changePassword(current: String, new: String) async throws {
        try await request(ClientRequest(id: 0, type: "password.change", currentPassword: current, newPassword: new))
    }

    public func whoami() async throws -> ServerReply {
        try await request(ClientRequest(id: 0, type: "whoami"))
    }

    public func logout() async throws {
        try await request(ClientRequest(id: 0, type: "logout"))
    }
}

/// Carries the result out of the connection handler.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Written once inside the handler before `connect` returns, read after it returns.
    private(set) var value: Result<T, any Error>?
    func set(_ result: Result<T, any Error>) { value = result }
}
