public import Foundation
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
public import WardStore

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
    public var connectionLimits = ConnectionLimits()
    /// How long data is kept, and how often the retention job runs.
    public var retention = RetentionPeriods()
    public var retentionInterval: Duration = .seconds(3600)
    /// The clinic's time zone (weekly availability, reminders' wording).
    public var timeZone = TimeZone(identifier: "UTC") ?? .current
    public var notificationTimes = NotificationTimes()

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
            let masterKey = try data.loadMasterKey()
            var context = ServerContext(
                serverID: serverID, gate: Gate(database: database, policies: policies, audit: log),
                passwords: try PasswordChecker(hasher: hasher, concurrent: max(2, ProcessInfo.processInfo.activeProcessorCount)),
                limits: configuration.sessionLimits, masterKey: masterKey,
                subjectKeys: try SubjectKeys(directory: data.subjectKeys, masterKey: masterKey),
                auditTexts: try ErasableTextStore(directory: data.auditTexts)
            )
            context.retention = configuration.retention
            context.timeZone = configuration.timeZone
            context.notificationTimes = configuration.notificationTimes
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
            let sockets = Router(context: SocketRequestContext.self)
            let limits = configuration.connectionLimits
            sockets.ws(RouterPath(stringLiteral: WireProtocol.path)) { inbound, outbound, wsContext in
                try await SocketSession.serve(inbound: inbound, outbound: outbound, channel: wsContext.requestContext.channel,
                                              context: context, limits: limits, logger: wsContext.logger)
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
            let retention = Task { [context] in await RetentionJob(context: context).runEvery(configuration.retentionInterval) }
            let notifications = Task { [context] in await Notifier(context: context).runEverySecond() }
            defer {
                retention.cancel()
                notifications.cancel()
            }
            try await app.runService()
            retention.cancel()
            notifications.cancel()
            await retention.value
            await notifications.value
            try await log.append(AuditEvent(type: "server.stop", action: .execute, actorID: "system:server", actorRole: "system",
                                            objectType: "server", objectID: serverID))
        } catch {
            try? await log.close()
            throw error
        }
        try await log.close()
    }
}
