public import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
public import Logging
import NIOSSL
import NIOCore
import NIOWebSocket
import WardAudit
public import WardCrypto
import WardGate
import WardPolicy
import WardProtocol
import ServiceLifecycle
import UnixSignals
public import WardStore

/// How to run the server: the data directory, and every other setting a default that a caller
/// changes by assigning it (`ward-server serve` maps each option to one).
public struct ServerConfiguration: Sendable {
    public var data: DataDirectory
    /// The listening address; port 0 asks for a free one (`onRunning` reports it).
    public var host = "127.0.0.1"
    public var port = 8443
    /// The policy directory.
    public var policies = "policies"
    /// The TLS certificate and key (PEM); nil: the data directory's own.
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
    /// How failed sign-ins slow further attempts down.
    public var signInThrottle = SignInThrottle.Rules()
    /// Connections at once, per address and in total, and the time to the WebSocket upgrade.
    public var connectionCaps = ConnectionCaps()
    /// Below this much free space on the data directory's filesystem, writes that can wait are
    /// refused (`storage_low`), keeping room for the audit log and the rest.
    public var minimumFreeBytes: Int64 = 512 * 1024 * 1024
    /// The erasure journal's path (`ErasureJournal`), best on another disk than the data.
    public var erasureJournal: String?
    /// Where backups go (`BackupSchedule`), how often the server takes one (zero: never, only
    /// report the newest one's age), and how many it keeps.
    public var backupDirectory: String?
    public var backupEvery: Duration = .zero
    public var backupKeep = 14
    /// The web client's folder (the repository's `Web/`), served on the same listener; nil:
    /// no web client, its paths answer 404.
    public var webClient: String?

    public init(data: DataDirectory) { self.data = data }
}

/// The Ward appliance: TLS only, WebSocket at /v1/ws, /healthz, /v1/audit/checkpoint.
public enum WardServer {
    /// Runs until SIGTERM or SIGINT (or `shutdown` is triggered), then closes connections,
    /// writes `server.stop` and a final checkpoint. `onRunning` receives the bound port and the
    /// certificate fingerprint.
    public static func run(
        _ configuration: ServerConfiguration, logger: Logger, shutdown: ServerShutdown? = nil,
        onRunning: @escaping @Sendable (Int, String) async -> Void = { _, _ in }
    ) async throws {
        let data = configuration.data
        let (serverID, signer) = try data.loadIdentity()
        let database = try WardDatabase(path: data.database)
        // Entries stored before availability.add enforced its rules are ignored by the slot
        // calendar; the operator is told which, by id.
        for entry in try database.allAvailability() where !SlotCalendar.isUsable(entry) {
            logger.warning(
                "ignoring a stored availability entry that breaks the rules; remove it",
                metadata: ["availability": "\(entry.id ?? 0)", "clinician": "\(entry.clinicianID)"])
        }
        let log = try AuditLog.open(.init(directory: data.auditLog, signer: signer, source: serverID, logger: logger))
        do {
            let policies = try await PolicyStore(
                directory: configuration.policies, requirement: PolicyLoadAuditing.idsAreAuditIdentifiers,
                observer: PolicyLoadAuditing.observer(log: log))
            let hangup = await policies.reloadOnHangup()
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
            context.throttle = SignInThrottle(rules: configuration.signInThrottle)
            context.storage = StorageWatch(path: data.path, minimumFreeBytes: configuration.minimumFreeBytes)
            context.erasureJournal = configuration.erasureJournal.map(ErasureJournal.init)
            context.backups = configuration.backupDirectory.map { directory in
                BackupSchedule(
                    data: data, policies: configuration.policies, directory: directory, every: configuration.backupEvery,
                    keep: configuration.backupKeep, audit: context.gate, metrics: context.metrics)
            }
            context.storage.check(logger: logger, metrics: context.metrics)
            let certificatePath = configuration.tlsCertificate ?? data.tlsCertificate
            let keyPath = configuration.tlsKey ?? data.tlsKey
            try DataDirectory.requirePrivate(keyPath)
            let certificatePEM = try String(contentsOfFile: certificatePath, encoding: .utf8)
            let fingerprint = try SelfSignedCertificate.fingerprint(pem: certificatePEM)
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            )
            // TLS 1.3 only: every 1.3 suite is an AEAD with forward secrecy, so no list of 1.2
            // suites to keep right (issue 16, item 10; NIST SP 800-52r2 §3.1).
            tls.minimumTLSVersion = .tlsv13

            let router = Router()
            router.add(middleware: SecurityHeaders())
            try configuration.webClient.map(WebClientFiles.load)?.addRoutes(to: router)
            router.get("/healthz") { _, _ in "ok\n" }
            let metrics = context.metrics
            // Not for the network at large (issue 16, item 1): the scraper sends the data
            // directory's metrics.token as a bearer token, compared in constant time.
            let metricsToken = Array(try data.loadMetricsToken().utf8)
            router.get("/metrics") { request, _ -> Response in
                let presented = request.headers[.authorization].map { Array($0.utf8) } ?? []
                guard ConstantTime.equal(presented, Array("Bearer ".utf8) + metricsToken) else {
                    return Response(
                        status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                        body: .init(byteBuffer: ByteBuffer(string: "send Authorization: Bearer <the data directory's metrics.token>\n")))
                }
                let text = metrics.text(extra: ["ward_audit_entries": Int(log.size), "ward_policies": policies.current.policies.count])
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            router.get("/v1/audit/checkpoint") { _, _ -> Response in
                guard let checkpoint = log.latestCheckpoint else { return Response(status: .notFound) }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: checkpoint.text)))
            }
            let sockets = Router(context: SocketRequestContext.self)
            let limits = configuration.connectionLimits
            sockets.ws(RouterPath(stringLiteral: WireProtocol.path)) { [context] inbound, outbound, wsContext in
                try await SocketSession.serve(
                    inbound: inbound, outbound: outbound, channel: wsContext.requestContext.channel,
                    context: context, limits: limits, logger: wsContext.logger)
            }
            // Hummingbird's `.tls(.http1WebSocketUpgrade(…))`, with the connection guard in front.
            let socketResponder = sockets.buildResponder()
            let counter = ConnectionCounter(configuration.connectionCaps)
            let upgradeTimeout = configuration.connectionCaps.upgradeTimeout
            let tlsChannel = TLSChannelConfiguration(tlsConfiguration: tls)
            let server = HTTPServerBuilder { responder in
                GuardedChannel(
                    base: try TLSChannel(
                        HTTP1WebSocketUpgradeChannel(
                            responder: responder, webSocketResponder: socketResponder,
                            configuration: .init(ws: .init(maxFrameSize: WireProtocol.maxFrameBytes, validateUTF8: true))
                        ),
                        configuration: tlsChannel
                    ),
                    counter: counter, upgradeTimeout: upgradeTimeout, metrics: metrics
                )
            }
            let app = Application(
                router: router,
                server: server,
                configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ward"),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port, fingerprint) },
                logger: logger
            )
            try await log.append(
                AuditEvent(
                    type: "server.start", action: .execute, actorID: "system:server", actorRole: "system",
                    objectType: "server", objectID: serverID, policySetHash: Hash32(bytes: policies.current.hash)))
            AuditSelfCheck.start(log: log, metrics: metrics, logger: logger)
            // The listener last: a graceful shutdown ends the services in reverse order, so it
            // stops first and the jobs after it; all have ended before `server.stop` is audited.
            let jobs = backgroundJobs(context, data: data, retentionInterval: configuration.retentionInterval, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: jobs.map { .init(service: $0) } + [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            await shutdown?.attach(group)
            try await group.run()
            try await log.append(
                AuditEvent(
                    type: "server.stop", action: .execute, actorID: "system:server", actorRole: "system",
                    objectType: "server", objectID: serverID))
        } catch {
            try? await log.close()
            throw error
        }
        try await log.close()
    }
}
