internal import Foundation
import Synchronization
internal import Hummingbird
internal import HummingbirdTLS
internal import HummingbirdWebSocket
public import Logging
internal import NIOSSL
internal import NIOCore
internal import NIOWebSocket
internal import WardAudit
public import WardCrypto
internal import WardGate
internal import WardPolicy
internal import WardProtocol
internal import WardStore

/// How to run the server.
public struct ServerConfiguration: Sendable {
    public var data: DataDirectory
    public var host: String
    public var port: Int
    public var policies: String
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var sessionLimits = SessionLimits()
    public var passwordParameters = Argon2id.Parameters.rfc9106SecondRecommended
    /// Connections that have not signed in after this long are closed.
    public var authenticationTimeout: Duration = .seconds(10)
    /// Connections that leave a reply unread this long are closed.
    public var writeTimeout: Duration = .seconds(10)

    public init(data: DataDirectory, host: String = "127.0.0.1", port: Int = 8443, policies: String = "policies",
                tlsCertificate: String? = nil, tlsKey: String? = nil) {
        self.data = data
        self.host = host
        self.port = port
        self.policies = policies
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }
}

/// The Ward appliance: TLS only, WebSocket at /v1/ws, /healthz, /v1/audit/checkpoint.
public enum WardServer {
    /// Runs until SIGTERM or SIGINT, then closes connections, writes `server.stop` and a final
    /// checkpoint. `onRunning` receives the bound port and the certificate fingerprint.
    public static func run(_ configuration: ServerConfiguration, logger: Logger,
                           onRunning: @escaping @Sendable (Int, String) async -> Void = { _, _ in }) async throws {
        let data = configuration.data
        let (serverID, signer) = try data.loadIdentity()
        let database = try WardDatabase(path: data.database)
        let log = try AuditLog.open(.init(directory: data.auditLog, signer: signer, source: serverID, logger: logger))
        do {
            let policies = try await PolicyStore(directory: configuration.policies, requirement: PolicyLoadAuditing.idsAreAuditIdentifiers,
                                                 observer: PolicyLoadAuditing.observer(log: log))
            let hangup = policies.reloadOnHangup()
            defer { hangup.cancel() }
            let hasher = try Argon2id(parameters: configuration.passwordParameters)
            let context = ServerContext(
                serverID: serverID, gate: Gate(database: database, policies: policies, audit: log),
                passwords: try PasswordChecker(hasher: hasher, concurrent: max(2, ProcessInfo.processInfo.activeProcessorCount)),
                limits: configuration.sessionLimits, masterKey: try data.loadMasterKey()
            )
            let certificatePath = configuration.tlsCertificate ?? data.tlsCertificate
            let keyPath = configuration.tlsKey ?? data.tlsKey
            try DataDirectory.requirePrivate(keyPath)
            let certificatePEM = try String(contentsOfFile: certificatePath, encoding: .utf8)
            let fingerprint = try SelfSignedCertificate.fingerprint(pem: certificatePEM)
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            )
            tls.minimumTLSVersion = .tlsv12

            let router = Router()
            router.get("/healthz") { _, _ in "ok\n" }
            let metrics = context.metrics
            router.get("/metrics") { _, _ -> Response in
                let text = metrics.text(extra: ["ward_audit_entries": Int(log.size), "ward_policies": policies.current.policies.count])
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            let auditDirectory = data.auditLog
            router.get("/v1/audit/proof") { request, _ -> Response in
                var query: [String: String] = [:]
                for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                do {
                    let text = try AuditEndpoints.proof(directory: auditDirectory, query: query)
                    return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
                } catch let failure as AuditEndpoints.Failure {
                    let status: HTTPResponse.Status
                    switch failure {
                    case .badQuery: status = .badRequest
                    case .notFound: status = .notFound
                    }
                    return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: failure.description + "\n")))
                }
            }
            router.get("/v1/audit/checkpoint") { _, _ -> Response in
                guard let checkpoint = log.latestCheckpoint else { return Response(status: .notFound) }
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: checkpoint.text)))
            }
            let sockets = Router(context: BasicWebSocketRequestContext.self)
            let timeout = configuration.authenticationTimeout
            let writeTimeout = configuration.writeTimeout
            sockets.ws(RouterPath(stringLiteral: WireProtocol.path)) { inbound, outbound, wsContext in
                try await serve(inbound: inbound, outbound: outbound, context: context, timeout: timeout,
                                writeTimeout: writeTimeout, logger: wsContext.logger)
            }
            let app = Application(
                router: router,
                server: try .tls(
                    .http1WebSocketUpgrade(
                        webSocketRouter: sockets,
                        configuration: .init(ws: .init(maxFrameSize: WireProtocol.maxFrameBytes, validateUTF8: true))
                    ),
                    tlsConfiguration: tls
                ),
                configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ward"),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port, fingerprint) },
                logger: logger
            )
            try await log.append(AuditEvent(type: "server.start", action: .execute, actorID: "system:server", actorRole: "system",
                                            objectType: "server", objectID: serverID, policySetHash: Hash32(bytes: policies.current.hash)))
            try await app.runService()
            try await log.append(AuditEvent(type: "server.stop", action: .execute, actorID: "system:server", actorRole: "system",
                                            objectType: "server", objectID: serverID))
        } catch {
            try? await log.close()
            throw error
        }
        try await log.close()
    }

    /// One WebSocket connection: requests in, replies out; closed if it does not sign in in time.
    /// Writes `text`, giving up after `limit`; false when the client did not take it in time.
    static func deliver(_ text: String, to outbound: WebSocketOutboundWriter, within limit: Duration) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await outbound.write(.text(text))
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    static func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: ServerContext,
                      timeout: Duration, writeTimeout: Duration = .seconds(10), logger: Logger) async throws {
        let connection = Connection(context: context, logger: logger)
        context.metrics.connectionOpened()
        defer { context.metrics.connectionClosed() }
        let signedIn = SignInFlag()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if !signedIn.isSet {
                try? await outbound.close(.policyViolation, reason: "sign in within \(timeout.components.seconds) seconds")
            }
        }
        defer { watchdog.cancel() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bucket = RateLimiter(ratePerSecond: 50, burst: 100)
        // Refusals count until a full second passes without one.
        var refusals = 0
        var lastRefusal = ContinuousClock.now
        for try await message in inbound.messages(maxSize: WireProtocol.maxFrameBytes) {
            let reply: ServerReply
            let type: String
            guard bucket.allow() else {
                if lastRefusal.duration(to: .now) > .seconds(1) { refusals = 0 }
                refusals += 1
                lastRefusal = .now
                // A client that keeps sending while refused is not slowing down: close it.
                if refusals > 200 {
                    try await outbound.close(.policyViolation, reason: "too many requests")
                    return
                }
                context.metrics.request("any", outcome: ErrorCode.rateLimited.rawValue)
                let refusal = ServerReply.error(Connection.salvageID(message.text ?? ""), .rateLimited, "too many requests on this connection; slow down")
                try await outbound.write(.text(String(decoding: try encoder.encode(refusal), as: UTF8.self)))
                continue
            }
            switch message {
            case let .text(text):
                reply = await connection.handle(text)
                type = connection.lastRequestType
            case .binary:
                reply = .error(nil, .badRequest, "binary frames are not part of the protocol; send JSON text")
                type = "binary"
            }
            if connection.isAuthenticated { signedIn.set() }
            context.metrics.request(type, outcome: reply.code?.rawValue ?? reply.type)
            let text = String(decoding: try encoder.encode(reply), as: UTF8.self)
            // A client that does not read its replies would hold this connection's task (and the
            // memory of its replies) for ever: a reply not taken within the limit ends it.
            let delivered = try await deliver(text, to: outbound, within: writeTimeout)
            guard delivered else {
                logger.notice("closing a connection that stopped reading its replies")
                context.metrics.request("any", outcome: "slow_reader_closed")
                return
            }
        }
    }
}

/// A token bucket: `burst` requests at once, refilled at `ratePerSecond`.
struct RateLimiter {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        tokens = burst
    }

    mutating func allow() -> Bool {
        let now = ContinuousClock.now
        let elapsed = last.duration(to: now)
        last = now
        tokens = min(burst, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * ratePerSecond)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

extension WebSocketMessage {
    /// The text of a text message.
    var text: String? {
        if case let .text(text) = self { return text }
        return nil
    }
}

/// Set once a connection has signed in; read by its watchdog.
final class SignInFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
