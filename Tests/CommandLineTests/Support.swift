import Foundation
import WardAudit
import WardCrypto
import WardTestSupport

/// Paths of the built executables, which sit beside the test bundle.
enum Binaries {
    static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
    static var auditctl: String { directory.appendingPathComponent("auditctl").path }
    static var wardBench: String { directory.appendingPathComponent("ward-bench").path }
    static var wardctl: String { directory.appendingPathComponent("wardctl").path }
    static var ward: String { directory.appendingPathComponent("ward").path }
    static var wardServer: String { directory.appendingPathComponent("ward-server").path }
}

/// `ward-server init` then `serve` on a free loopback port, as an operator runs them; killed on `stop`.
struct ServedData {
    let data: String
    let oneTimePassword: String
    let process: Process
    let port: String
    /// `--keys-dir`, when the keys live outside the data directory.
    var keysDir: String?

    static func start(in dir: TemporaryDirectory, keysDir: String? = nil) throws -> ServedData {
        let data = dir.path + "/data"
        let made = try runProcess(
            Binaries.wardServer, ["init", "--data", data, "--argon2-memory", "1024"] + (keysDir.map { ["--keys-dir", $0] } ?? []))
        guard made.status == 0,
            let otp = made.stdout.split(separator: "\n").first(where: { $0.hasPrefix("one-time password") })?.split(separator: " ").last
        else {
            throw ServedDataError.initFailed(made.stderr)
        }
        return try serve(data: data, oneTimePassword: String(otp), port: "0", keysDir: keysDir)
    }

    /// The same data served again on the same port (a server restart).
    /// Another data directory (a restored one) served the same way.
    static func serving(_ data: String, keysDir: String? = nil) throws -> ServedData {
        try serve(data: data, oneTimePassword: "", port: "0", keysDir: keysDir)
    }

    func restarted() throws -> ServedData {
        try Self.serve(data: data, oneTimePassword: oneTimePassword, port: port, keysDir: keysDir)
    }

    private static func serve(data: String, oneTimePassword: String, port wanted: String, keysDir: String?) throws -> ServedData {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binaries.wardServer)
        // A generous sign-in limit: these tests run beside the whole suite on two cores.
        server.arguments =
            [
                "serve", "--data", data, "--listen", "127.0.0.1:\(wanted)", "--policies", Repository.path("policies"),
                "--argon2-memory", "1024", "--sign-in-seconds", "120", "--web", Repository.path("Web")
            ]
            + (keysDir.map { ["--keys-dir", $0] } ?? [])
        let out = Pipe()
        server.standardOutput = out
        // What it logs, beside the data directory (`log`): a clean stop must log no error.
        _ = FileManager.default.createFile(atPath: data + ".server.log", contents: nil)
        server.standardError = FileHandle(forWritingAtPath: data + ".server.log") ?? FileHandle.nullDevice
        try server.run()
        // Bounded: the first lines name the port.
        var port = ""
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while port.isEmpty && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: {
                $0.contains("listening on https://127.0.0.1:")
            }) {
                port = String(line.split(separator: ":")[2].prefix { $0.isNumber })
            }
        }
        guard !port.isEmpty else {
            server.terminate()
            throw ServedDataError.didNotListen
        }
        return ServedData(data: data, oneTimePassword: oneTimePassword, process: server, port: port, keysDir: keysDir)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// What the server wrote to standard error (its log lines), across restarts.
    var log: String { (try? String(contentsOfFile: data + ".server.log", encoding: .utf8)) ?? "" }
}

enum ServedDataError: Error {
    case initFailed(String)
    case didNotListen
}

func readBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
func writeBytes(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
