import Foundation
import Logging
import NIOSSL
import Synchronization
import WardClient
import WardCrypto
import WardServer
import WardStore
import WardTestSupport

/// A real server on 127.0.0.1 (a free port), over TLS, in a temporary data directory; stopped
/// by `stop()`.
final class ServerHarness: Sendable {
    let dir: TemporaryDirectory
    let data: DataDirectory
    let adminPassword: String
    let port: Int
    let certificatePEM: String
    private let task: Task<Void, any Error>
    private let shutdown: ServerShutdown
    private let configuration: ServerConfiguration

    static let repositoryPolicies = Repository.path("policies")

    /// Cheap Argon2id for tests; the RFC 9106 defaults are exercised by WardCryptoTests and ward-bench.
    static let testHashing = Argon2id.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

    static func start(
        connectionLimits: ConnectionLimits = ConnectionLimits(), idleSeconds: Int64 = 900,
        lifetimeSeconds: Int64 = 12 * 3600, retention: RetentionPeriods = RetentionPeriods(),
        notificationTimes: NotificationTimes = NotificationTimes(), policies: String = repositoryPolicies,
        signInThrottle: SignInThrottle.Rules = SignInThrottle.Rules(),
        connectionCaps: ConnectionCaps = .forTests, minimumFreeBytes: Int64 = 0,
        erasureJournal: String? = nil, backups: (directory: String, every: Duration, keep: Int)? = nil
    ) async throws -> ServerHarness {
        let dir = try TemporaryDirectory()
        let data = DataDirectory(path: dir.path + "/data")
        let made = try await data.initialise(hostnames: ["localhost", "127.0.0.1"], passwordHasher: try Argon2id(parameters: testHashing))
        var configuration = ServerConfiguration(data: data)
        (configuration.port, configuration.policies) = (0, policies)
        configuration.passwordParameters = testHashing
        configuration.connectionLimits = connectionLimits
        configuration.sessionLimits = SessionLimits(idleSeconds: idleSeconds, lifetimeSeconds: lifetimeSeconds)
        configuration.retention = retention
        configuration.notificationTimes = notificationTimes
        configuration.signInThrottle = signInThrottle
        configuration.connectionCaps = connectionCaps
        configuration.minimumFreeBytes = minimumFreeBytes
        configuration.erasureJournal = erasureJournal
        configuration.webClient = Repository.path("Web")
        if let backups { (configuration.backupDirectory, configuration.backupEvery, configuration.backupKeep) = backups }
        return try await serve(configuration, dir: dir, adminPassword: made.adminPassword)
    }

    /// The same data directory served again (after `stop()`), as a restart of the appliance,
    /// optionally with other notification times.
    func restarted(notificationTimes: NotificationTimes? = nil) async throws -> ServerHarness {
        var configuration = self.configuration
        if let notificationTimes { configuration.notificationTimes = notificationTimes }
        return try await Self.serve(configuration, dir: dir, adminPassword: adminPassword)
    }

    private static func serve(_ configuration: ServerConfiguration, dir: TemporaryDirectory, adminPassword: String) async throws -> ServerHarness {
        let ready = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "ward.test.server")
        logger.logLevel = .error
        let shutdown = ServerShutdown()
        let task = Task {
            // A server that fails to start ends the wait for its port instead of leaving it hanging.
            defer { ready.continuation.finish() }
            try await WardServer.run(configuration, logger: logger, shutdown: shutdown) { port, _ in ready.continuation.yield(port) }
        }
        var port = 0
        for await bound in ready.stream { port = bound; break }
        if port == 0 {
            try await task.value
            throw HarnessError.serverDidNotStart
        }
        return ServerHarness(
            dir: dir, data: configuration.data, adminPassword: adminPassword, port: port,
            certificatePEM: try String(contentsOfFile: configuration.data.tlsCertificate, encoding: .utf8), task: task,
            shutdown: shutdown, configuration: configuration)
    }

    private init(
        dir: TemporaryDirectory, data: DataDirectory, adminPassword: String, port: Int, certificatePEM: String, task: Task<Void, any Error>,
        shutdown: ServerShutdown, configuration: ServerConfiguration
    ) {
        self.configuration = configuration
        self.shutdown = shutdown
        self.dir = dir
        self.data = data
        self.adminPassword = adminPassword
        self.port = port
        self.certificatePEM = certificatePEM
        self.task = task
    }

    var url: String { "wss://127.0.0.1:\(port)/v1/ws" }

    func connect<T: Sendable>(greet: Bool = true, _ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
        var logger = Logger(label: "ward.test.client")
        logger.logLevel = .error
        return try await WardConnection.withConnection(
            url: url, tls: try WardConnection.pinnedTLS(certificatePEM: certificatePEM),
            serverName: "localhost", greet: greet, logger: logger, body)
    }

    /// The current code of an authenticator holding `secret` (base32).
    static func code(_ secret: String) -> String {
        let totp = TOTP(secret: SecureBytes(Base32.decode(secret) ?? []))
        return totp.code(counter: totp.counter(at: Int64(Date().timeIntervalSince1970)))
    }

    /// Signs in with the one-time password, changes it to `newPassword`, and sets up a second
    /// factor; the session then has it. Returns the recovery codes.
    static func firstSignIn(_ connection: WardConnection, username: String = "admin", oneTime: String, newPassword: String) async throws -> [String] {
        _ = try await connection.login(username: username, password: oneTime)
        try await connection.changePassword(current: oneTime, new: newPassword)
        let enrolment = try await connection.enrollSecondFactor()
        return try await connection.confirmSecondFactor(code: code(enrolment.secret))
    }

    /// The body of an HTTPS GET on this server, as a scraper asks (python's ssl, trusting the
    /// appliance's certificate).
    static func fetch(_ server: ServerHarness, path: String, bearer: String) async throws -> String {
        let certificate = server.dir.path + "/fetch-ca.pem"
        try server.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        let script = """
            import http.client, ssl, sys
            c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=10)
            c.request("GET", sys.argv[3], headers={"Host": "localhost", "Authorization": "Bearer " + sys.argv[4]})
            print(c.getresponse().read().decode())
            """
        let result = try await runProcessInBackground("/usr/bin/env", ["python3", "-c", script, "\(server.port)", certificate, path, bearer])
        return result.status == 0 ? result.stdout : result.stderr
    }

    /// Stops the server as SIGTERM would and waits for it to finish; cancelled after 30 s (a
    /// test that left a connection hanging still ends).
    func stop() async {
        await shutdown.trigger()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(30))
            task.cancel()
        }
        _ = try? await task.value
        deadline.cancel()
    }

    func cleanup() { dir.cleanup() }
}

extension ConnectionLimits {
    /// Limits for tests that make many requests quickly: the rate limit out of the way.
    static var unthrottled: ConnectionLimits {
        var limits = ConnectionLimits()
        limits.requestsPerSecond = 10_000
        limits.requestBurst = 10_000
        return limits
    }
}

extension ConnectionCaps {
    /// The appliance's caps, with a generous upgrade deadline: on a loaded 2-core test machine a
    /// TLS handshake has been seen to take seconds, and only `CostControlTests` is about the deadline.
    static var forTests: ConnectionCaps {
        var caps = ConnectionCaps()
        caps.upgradeTimeout = .seconds(30)
        return caps
    }
}

enum HarnessError: Error {
    case serverDidNotStart
}
