import ArgumentParser
import Foundation
import Logging
import WardClient
import WardCrypto
import WardProtocol
import Synchronization
import WardServer

/// A server in this process, on loopback, in a temporary data directory.
struct BenchServer {
    let dir: String
    let port: Int
    let certificatePEM: String
    let adminPassword: String
    let task: Task<Void, any Error>

    static func start(parameters: Argon2id.Parameters) async throws -> BenchServer {
        let dir = NSTemporaryDirectory() + "ward-bench-server-" + UUID().uuidString
        let data = DataDirectory(path: dir + "/data")
        let made = try await data.initialise(hostnames: ["localhost"], passwordHasher: try Argon2id(parameters: parameters))
        var configuration = ServerConfiguration(data: data)
        configuration.port = 0
        configuration.passwordParameters = parameters
        configuration.connectionLimits.authenticationTimeout = .seconds(120)
        var logger = Logger(label: "ward.bench.server")
        logger.logLevel = .critical
        let ready = AsyncStream<Int>.makeStream()
        let task = Task { try await WardServer.run(configuration, logger: logger) { port, _ in ready.continuation.yield(port) } }
        var port = 0
        for await bound in ready.stream { port = bound; break }
        return BenchServer(
            dir: dir, port: port, certificatePEM: try String(contentsOfFile: data.tlsCertificate, encoding: .utf8),
            adminPassword: made.adminPassword, task: task)
    }

    func connect<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
        var logger = Logger(label: "ward.bench.client")
        logger.logLevel = .critical
        return try await WardConnection.withConnection(
            url: "wss://127.0.0.1:\(port)/v1/ws", tls: try WardConnection.pinnedTLS(certificatePEM: certificatePEM),
            serverName: "localhost", logger: logger, body)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// Peak and current resident memory of this process, in KiB (from /proc/self/status).
func residentKiB() -> (current: Int, peak: Int) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func value(_ key: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }
    return (value("VmRSS:"), value("VmHWM:"))
}

struct LoginBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "N clients sign in at once with Argon2id at RFC 9106 settings, while open sessions keep working.",
        discussion: """
            Runs a server in this process on loopback (policies from ./policies), creates one account, \
            then N clients sign in to it at the same moment while --busy already-signed-in clients \
            each send whoami 25 times a second. Reports login completion time, the busy clients' p50/p99 \
            latency meanwhile, and the process's peak resident memory (server and clients together).
            """
    )

    @Option(help: "Clients signing in at once.") var clients: Int = 200
    @Option(help: "Signed-in clients sending requests meanwhile.") var busy: Int = 8
    @Option(help: "Argon2id memory in KiB (RFC 9106: 65536).") var argon2Memory: UInt32 = 65536

    func run() async throws {
        var parameters = Argon2id.Parameters.rfc9106SecondRecommended
        parameters.memoryKiB = argon2Memory
        let server = try await BenchServer.start(parameters: parameters)
        let password = "bench account passphrase"
        let otp = server.adminPassword
        try await server.connect { connection in
            _ = try await connection.login(username: "admin", password: otp)
            try await connection.changePassword(current: otp, new: password)
        }
        let before = residentKiB()
        let clock = ContinuousClock()
        let storm = Phase()
        let busyAnswers = Tally()
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<busy {
                group.addTask {
                    try await server.connect { connection in
                        _ = try await connection.login(username: "admin", password: password)
                        var samples: [Duration] = []
                        // 25 requests per second each, under the per-connection limit, as a busy client.
                        while !storm.done {
                            let t0 = clock.now
                            _ = try await connection.whoami()
                            if storm.started { samples.append(t0.duration(to: clock.now)) }
                            try await Task.sleep(until: t0.advanced(by: .milliseconds(40)), clock: clock)
                        }
                        return samples
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            storm.start()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { logins in
                for _ in 0..<clients {
                    logins.addTask {
                        try await server.connect { connection in
                            try await signIn(connection, username: "admin", password: password, busyAnswers: busyAnswers)
                        }
                    }
                }
                try await logins.waitForAll()
            }
            let elapsed = start.duration(to: clock.now)
            storm.finish()
            var all: [Duration] = []
            for try await samples in group { all += samples }
            return (elapsed, all.sorted())
        }
        let after = residentKiB()
        let (elapsed, samples) = latencies
        emit([
            "bench": "login", "clients": clients, "argon2_memory_kib": Int(argon2Memory), "seconds": seconds(elapsed),
            "logins_per_second": (Double(clients) / seconds(elapsed) * 10).rounded() / 10,
            "busy_clients": busy, "busy_requests": samples.count, "sign_ins_answered_busy": busyAnswers.count,
            "busy_p50_ms": percentileMillis(samples, 0.5), "busy_p99_ms": percentileMillis(samples, 0.99),
            "rss_before_kib": before.current, "peak_rss_kib": after.peak
        ])
        await server.stop()
    }
}

struct IdleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "N authenticated idle connections on loopback: the server's resident memory per connection.",
        discussion: """
            Starts ward-server (the binary beside this one) as its own process in a temporary data \
            directory, opens N TLS WebSocket connections from this process, signs each in, and reads \
            the server's resident memory (/proc/PID/status) before and with the connections open. \
            Connections open --opening at a time (the handshake and the sign-in), so that what is \
            measured is the connections held, not the allocator's high-water mark of a burst. A \
            connection the server closes while opening is opened again, up to five times.
            """
    )

    @Option(help: "Connections.") var connections: Int = 1000
    @Option(help: "Connections opening at once (TLS handshake and sign-in); the rest wait their turn.") var opening: Int = 16

    func run() async throws {
        let serverProcess = try await ServerProcess.start()
        defer { serverProcess.stop() }
        let otp = serverProcess.oneTimePassword
        let pem = serverProcess.certificatePEM
        let url = serverProcess.url
        var logger = Logger(label: "ward.bench.client")
        logger.logLevel = .critical
        let tls = try WardConnection.pinnedTLS(certificatePEM: pem)
        let password = "bench account passphrase"
        let clientLogger = logger
        try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: clientLogger) { connection in
            _ = try await connection.login(username: "admin", password: otp)
            try await connection.changePassword(current: otp, new: password)
        }
        try await Task.sleep(for: .milliseconds(500))
        let before = serverProcess.residentKiB
        let hold = Phase()
        let opened = Counter(limit: Int.max)
        let (failed, retried) = (Tally(), Tally())
        let count = connections
        let slots = OpeningSlots(opening)
        let during = try await withThrowingTaskGroup(of: Void.self) { group -> Int in
            for _ in 0..<count {
                group.addTask {
                    // Opening too many at once on two cores outlasts the server's 5 s upgrade and
                    // 10 s sign-in limits for some connections, which it closes; like a client,
                    // try again (a connection dropped once open counts as failed).
                    let held = Tally()
                    for attempt in 1...5 {
                        await slots.take()
                        let slot = Tally()
                        do {
                            try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: clientLogger) {
                                try await signIn($0, username: "admin", password: password, busyAnswers: Tally())
                                _ = opened.next()
                                held.add()
                                slot.add()
                                await slots.give()
                                while !hold.done { try await Task.sleep(for: .milliseconds(200)) }
                            }
                            return
                        } catch {
                            if slot.count == 0 { await slots.give() }
                            if held.count > 0 || hold.done || attempt == 5 { return failed.add() }
                            retried.add()
                            try await Task.sleep(for: .milliseconds(200 * attempt))
                        }
                    }
                }
            }
            // Until every connection is open or given up on, within five minutes.
            let deadline = ContinuousClock.now + .seconds(300)
            while opened.value + failed.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .seconds(1))
            let rss = serverProcess.residentKiB
            hold.finish()
            try await group.waitForAll()
            return rss
        }
        emit([
            "bench": "idle", "connections": opened.value, "opening_at_once": opening, "failed_connections": failed.count,
            "retried_connections": retried.count,
            "server_rss_before_kib": before,
            "server_rss_with_connections_kib": during,
            "server_kib_per_connection": (Double(during - before) / Double(max(1, opened.value)) * 10).rounded() / 10
        ])
    }
}

/// How many connections may be opening at once: a task takes a slot before it connects and
/// gives it back once signed in (or failed), in the order the tasks asked.
actor OpeningSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = max(1, count) }

    func take() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A one-way start/finish signal shared by benchmark tasks.
final class Phase: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var state = 0
    var started: Bool { lock.lock(); defer { lock.unlock() }; return state >= 1 }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return state >= 2 }
    func start() { lock.lock(); state = max(state, 1); lock.unlock() }
    func finish() { lock.lock(); state = 2; lock.unlock() }
}

/// A count several tasks add to.
final class Tally: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add() { value.withLock { $0 += 1 } }
}

/// Signs in, trying again 100 ms later while the server answers `busy` (it takes at most 32
/// waiting password checks and refuses the rest at once), as a client does; counts those answers.
func signIn(_ connection: WardConnection, username: String, password: String, busyAnswers: Tally) async throws {
    while true {
        do {
            _ = try await connection.login(username: username, password: password)
            return
        } catch let WardClientError.server(code, _, _) where code == .busy {
            busyAnswers.add()
            try await Task.sleep(for: .milliseconds(100))
        } catch let WardClientError.server(code, _, _) {
            throw ValidationError("sign-in failed: \(code.rawValue)")
        }
    }
}
