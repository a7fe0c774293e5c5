import ArgumentParser
import Foundation
import Logging
import NIOSSL
import WardClient
import WardProtocol

/// `ward-server` (the binary beside this one) run as its own process on loopback, in a
/// temporary data directory, so that what is measured of it is its own.
struct ServerProcess {
    let process: Process
    let dir: String
    let port: Int
    let certificatePEM: String
    let oneTimePassword: String

    /// Initialises a data directory (cheap Argon2id for the setup), lets `prepare` add to it
    /// before anything serves it (the data directory's path), and serves it.
    static func start(prepare: (String) async throws -> Void = { _ in }) async throws -> ServerProcess {
        let binary = try Self.binary()
        let dir = NSTemporaryDirectory() + "ward-bench-server-" + UUID().uuidString
        let initialise = Process()
        initialise.executableURL = URL(fileURLWithPath: binary)
        initialise.arguments = ["init", "--data", dir, "--argon2-memory", "1024"]
        let initOutput = Pipe()
        initialise.standardOutput = initOutput
        try initialise.run()
        let initText = String(decoding: initOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        initialise.waitUntilExit()
        guard
            let otp = initText.split(separator: "\n").first(where: { $0.hasPrefix("one-time password") })?.split(separator: " ").last.map(String.init)
        else {
            throw ValidationError("ward-server init failed")
        }
        try await prepare(dir)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        // Every benchmark client connects from 127.0.0.1: the per-address cap is lifted.
        server.arguments = [
            "serve", "--data", dir, "--listen", "127.0.0.1:0", "--policies", "policies", "--argon2-memory", "1024",
            "--max-connections-per-address", "100000"
        ]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        var port = 0
        var buffer = Data()
        while port == 0 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                server.terminate()
                throw ValidationError("ward-server stopped before listening")
            }
            buffer.append(chunk)
            if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: {
                $0.contains("listening on https://127.0.0.1:")
            }) {
                port = Int(line.split(separator: ":")[2].prefix { $0.isNumber }) ?? 0
            }
        }
        return ServerProcess(
            process: server, dir: dir, port: port, certificatePEM: try String(contentsOfFile: dir + "/tls/cert.pem", encoding: .utf8),
            oneTimePassword: otp)
    }

    /// The ward-server built beside this ward-bench.
    static func binary() throws -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let binary = here.appendingPathComponent("ward-server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("\(binary) is missing: swift build -c release --product ward-server")
        }
        return binary
    }

    var url: String { "wss://127.0.0.1:\(port)/v1/ws" }

    /// How the benchmarks' clients reach it: pinned to its certificate, logging only failures.
    func client() throws -> BenchClient {
        var logger = Logger(label: "ward.bench.client")
        logger.logLevel = .critical
        return BenchClient(url: url, tls: try WardConnection.pinnedTLS(certificatePEM: certificatePEM), logger: logger)
    }
    var pid: Int32 { process.processIdentifier }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Resident memory of the server, KiB.
    var residentKiB: Int { Self.status(pid, "VmRSS:") }

    /// CPU time the server has used (user + system), seconds.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits (at most `limit`) until the server has used almost no CPU for three seconds in a
    /// row: a large appliance verifies and indexes its audit log in the background after it
    /// starts, and a measurement taken meanwhile measures that too. Returns how long it took.
    func settle(limit: Duration = .seconds(600)) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        var quiet = 0
        var last = cpuSeconds
        while quiet < 3, clock.now - start < limit {
            try await Task.sleep(for: .seconds(1))
            let now = cpuSeconds
            quiet = now - last < 0.05 ? quiet + 1 : 0
            last = now
        }
        return clock.now - start
    }

    static func status(_ pid: Int32, _ key: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }
}

/// A way to open connections to the benchmarked server, shareable by many client tasks.
struct BenchClient: Sendable {
    let url: String
    let tls: TLSConfiguration
    let logger: Logger

    func connect<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
        try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger, body)
    }
}

extension BenchClient {
    /// Signs the Admin in for the first time and makes `people` (username, role); returns the
    /// Admin's token and each account's id and one-time password, in order.
    func adminAndAccounts(
        _ server: ServerProcess, _ people: [(String, String)],
        then configure: @escaping @Sendable (WardConnection, [(id: String, oneTime: String)]) async throws -> Void = { _, _ in }
    )
        async throws -> (adminToken: String, accounts: [(id: String, oneTime: String)])
    {
        let otp = server.oneTimePassword
        let adminToken = try await connect {
            try await ChatBench.firstSignIn($0, username: "admin", oneTime: otp, password: CareRoomFixture.password)
        }
        let accounts = try await connect { connection -> [(id: String, oneTime: String)] in
            try await connection.request(Resume(token: adminToken))
            var made: [(id: String, oneTime: String)] = []
            for (username, role) in people {
                let reply = try await ChatBench.paced(connection, UserCreate(username: username, role: role))
                made.append((reply.userID ?? "", reply.password ?? ""))
            }
            try await configure(connection, made)
            return made
        }
        return (adminToken, accounts)
    }
}
