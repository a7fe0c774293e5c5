public import Foundation
import Synchronization
public import Logging
import NIOCore
import NIOWebSocket
public import NIOSSL
import WSClient
public import WardProtocol

/// Errors of the client library.
public enum WardClientError: Error, CustomStringConvertible, Sendable {
    case closed
    case unexpectedReply(String)
    case server(ErrorCode, String, policies: [String])

    public var description: String {
        switch self {
        case .closed: return "the server closed the connection"
        case let .unexpectedReply(type): return "unexpected reply \(PrintableText.safe(type, limit: 100))"
        case let .server(code, message, policies):
            // The server's words are printed as text, never as terminal control (issue 16, item 10).
            return Refusal.text(code, message, policies: policies)
        }
    }
}

/// A connection to a Ward server: TLS WebSocket, `hello` done. Requests may be sent from many
/// tasks at once; a reader task matches each reply to its request by id and queues server-pushed
/// events for `nextEvent()`. The only code that builds protocol frames; wardctl, ward, the tests
/// and ward-bench use it.
public final class WardConnection: Sendable {
    private let outbound: WebSocketOutboundWriter
    private let state = Mutex(State())
    private let events = Mailbox<ServerEvent>()
    private let unmatched = Mailbox<ReceivedFrame>()

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<ReceivedFrame, any Error>] = [:]
        var closed = false
        var serverID = ""
    }

    /// The server's id from `hello`.
    public var serverID: String { state.withLock { $0.serverID } }

    init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    /// TLS settings that trust exactly the root of the chain in `certificatePEM` (the appliance's
    /// own CA, pinned, or a clinic's CA), TLS 1.3 only (the server accepts nothing older).
    public static func pinnedTLS(certificatePEM: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        // The root of the chain only: a leaf is never a trust anchor (BoringSSL wants anchors
        // self-signed), and the pinned CA verifies the leaf and its host name.
        tls.trustRoots = .certificates([try ServerCertificate.root(pem: certificatePEM)])
        tls.minimumTLSVersion = .tlsv13
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
            url: url, configuration: .init(maxFrameSize: WireProtocol.maxReplyBytes, sniHostname: serverName),
            tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            let connection = WardConnection(outbound: outbound)
            let reader = Task { await connection.read(inbound) }
            do {
                if greet {
                    let hello = try await connection.request(Hello())
                    connection.state.withLock { $0.serverID = hello.server }
                }
                result.set(.success(try await body(connection)))
            } catch {
                result.set(.failure(error))
            }
            // Close, and let the reader take the server's close frame and end, before the
            // handler returns: the WebSocket library reads the same stream after it.
            try? await outbound.close(.normalClosure, reason: nil)
            let deadline = Task {
                try await Task.sleep(for: .seconds(5))
                reader.cancel()
            }
            await reader.value
            deadline.cancel()
        }
        guard let outcome = result.value else { throw WardClientError.closed }
        return try outcome.get()
    }

    /// Routes what the server sends: a reply to the request with its id, an event to `nextEvent`,
    /// anything else (replies to raw frames) to `receive`.
    private func read(_ inbound: WebSocketInboundStream) async {
        let decoder = JSONDecoder()
        var messages = inbound.messages(maxSize: WireProtocol.maxReplyBytes).makeAsyncIterator()
        do {
            while let message = try await messages.next() {
                guard case let .text(text) = message, let (id, type) = try? ReplyDecoding.envelope(of: text) else {
                    unmatched.put(ReceivedFrame.notAReply)
                    continue
                }
                if id == nil && type != .error {
                    if let event = try? ServerEvent(type: type, frame: Data(text.utf8), with: decoder) {
                        events.put(event)
                    } else {
                        unmatched.put(ReceivedFrame.notAReply)
                    }
                    continue
                }
                let waiter = state.withLock { state -> CheckedContinuation<ReceivedFrame, any Error>? in
                    if let id { return state.waiting.removeValue(forKey: id) }
                    // An error the server could not tie to a request: the oldest request gets it.
                    guard let oldest = state.waiting.keys.min() else { return nil }
                    return state.waiting.removeValue(forKey: oldest)
                }
                let frame = ReceivedFrame(id: id, type: type, text: text)
                if let waiter { waiter.resume(returning: frame) } else { unmatched.put(frame) }
            }
        } catch {}
        let waiters = state.withLock { state -> [CheckedContinuation<ReceivedFrame, any Error>] in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: WardClientError.closed) }
        events.finish()
        unmatched.finish()
        // After the close frame, read on until the server closes the connection, as a WebSocket
        // client should: that also takes in TLS's close_notify, which the server waits for.
        while (try? await messages.next()) != nil {}
    }

    /// Sends a request as its typed payload (its id is assigned here) and returns the reply it is
    /// answered with (`RequestPayload.Answer`); an `error` reply throws `WardClientError.server`.
    @discardableResult
    public func request<Payload: RequestPayload>(_ payload: Payload) async throws -> Payload.Answer {
        let frame = try await send(frame: { id in try JSONEncoder.sortedKeys.encode(RequestFrame(id: id, payload: payload)) })
        let decoder = JSONDecoder()
        if frame.type == .error {
            // A code this client does not know (a newer server's) is still a refusal, said as one.
            guard let refusal = try? decoder.decode(Reply.Refusal.self, from: Data(frame.text.utf8)) else {
                throw WardClientError.unexpectedReply("an error of a kind this client does not know, to \(Payload.type.rawValue)")
            }
            throw WardClientError.server(refusal.code, refusal.message, policies: refusal.policies ?? [])
        }
        do {
            return try ReplyDecoding.decode(Payload.Answer.self, from: frame.text, with: decoder)
        } catch {
            throw WardClientError.unexpectedReply("\(frame.type) without the fields a reply to \(Payload.type.rawValue) carries")
        }
    }

    /// `request`, asked again while the server refuses it for the connection's rate limit
    /// (`rate_limited`): `pause` apart, `tries` times at most, as a long export or a benchmark's
    /// burst meets the limit.
    public func request<Payload: RequestPayload>(_ payload: Payload, pacedBy pause: Duration, tries: Int = 100) async throws -> Payload.Answer {
        for _ in 1..<max(tries, 1) {
            do {
                return try await request(payload)
            } catch let WardClientError.server(code, _, _) where code == .rateLimited {
                try await Task.sleep(for: pause)
            }
        }
        return try await request(payload)
    }

    /// Sends the frame `encode` makes for the next request id and returns the frame that answers
    /// it, errors included. `request` is built on it; tests use it for frames no client would send.
    public func send(frame encode: (Int) throws -> Data) async throws -> ReceivedFrame {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let text = String(decoding: try encode(id), as: UTF8.self)
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state -> Bool in
                if state.closed { return true }
                state.waiting[id] = continuation
                return false
            }
            if closed {
                continuation.resume(throwing: WardClientError.closed)
                return
            }
            let outbound = self.outbound
            Task {
                do { try await outbound.write(.text(text)) } catch {
                    let waiter = self.state.withLock { $0.waiting.removeValue(forKey: id) }
                    waiter?.resume(throwing: error)
                }
            }
        }
    }

    /// Sends a raw text frame (for tests of malformed input); its reply comes from `receive`.
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

    /// The next reply that answered no request sent with `send` (replies to raw frames).
    public func receive() async throws -> ReceivedFrame {
        guard let frame = await unmatched.take() else { throw WardClientError.closed }
        return frame
    }

    /// The next event the server pushed (a message, a key, a join, a receipt, presence).
    public func nextEvent() async throws -> ServerEvent {
        guard let event = await events.take() else {
            try Task.checkCancellation()
            throw WardClientError.closed
        }
        return event
    }

    // MARK: Convenience

    public func login(username: String, password: String, totp: String? = nil) async throws -> Reply.Session {
        try await request(Login(username: username, password: password, totp: totp))
    }

    /// Signs in with the password, and with a second-factor code when the account has one: the
    /// code is asked for (`secondFactor`) only then.
    public func login(username: String, password: String, secondFactor: () async throws -> String) async throws -> Reply.Session {
        do {
            return try await login(username: username, password: password)
        } catch let WardClientError.server(code, _, _) where code == .secondFactorRequired {
            return try await login(username: username, password: password, totp: try await secondFactor())
        }
    }

    /// Starts second-factor enrolment: the secret (base32) and its otpauth URI. `enrolmentCode`
    /// is the code an Admin's reset gave, needed unless this session replaced a one-time password.
    public func enrollSecondFactor(enrolmentCode: String? = nil) async throws -> (secret: String, uri: String) {
        let reply = try await request(TOTPEnroll(enrolmentCode: enrolmentCode))
        return (reply.secret, reply.uri)
    }

    /// Confirms enrolment with a current code; returns the single-use recovery codes.
    public func confirmSecondFactor(code: String) async throws -> [String] {
        try await request(TOTPConfirm(totp: code)).recoveryCodes
    }

    public func changePassword(current: String, new: String) async throws {
        try await request(PasswordChange(currentPassword: current, newPassword: new))
    }

    public func whoami() async throws -> Reply.SignedIn {
        try await request(Whoami())
    }

    public func logout() async throws {
        try await request(Logout())
    }
}

/// A frame as the connection received it: its envelope, and its text, which the request's own
/// reply type reads (`RequestPayload.Answer`).
public struct ReceivedFrame: Sendable {
    public var id: Int?
    public var type: ReplyType
    public var text: String

    /// What `receive` gives for a frame that is no reply (not text, or not a JSON object with a `type`).
    static let notAReply = ReceivedFrame(
        id: nil, type: .error,
        text: (try? JSONEncoder.sortedKeys.encode(ReplyFrame.error(nil, .badRequest, "the server sent a frame that is not a reply")))
            .map { String(decoding: $0, as: UTF8.self) } ?? "")
}

/// Carries the result out of the connection handler.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Written once inside the handler before `connect` returns, read after it returns.
    private(set) var value: Result<T, any Error>?
    func set(_ result: Result<T, any Error>) { value = result }
}
