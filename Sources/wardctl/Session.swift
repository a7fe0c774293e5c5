import ArgumentParser
import Foundation
import Logging
import WardClient
import WardCommandLine
import WardProtocol
#if canImport(Glibc)
import Glibc
#endif

/// What `wardctl login` saves (mode 0600): where the server is, its pinned certificate, and
/// the session token.
struct SavedSession: Codable {
    var url: String
    var serverName: String
    var certificatePEM: String
    var token: String

    /// `$WARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ward`, else `~/.config/ward`.
    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["WARD_CONFIG_DIR"] { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"] { return xdg + "/ward" }
        return NSHomeDirectory() + "/.config/ward"
    }

    static var path: String { directory + "/wardctl-session.json" }

    func save() throws {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        try? FileManager.default.removeItem(atPath: Self.path)
        guard FileManager.default.createFile(atPath: Self.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw UsageError("cannot write \(Self.path)")
        }
    }

    static func load() throws -> SavedSession {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("not signed in: run wardctl login first") }
        do { return try JSONDecoder().decode(SavedSession.self, from: data) } catch {
            throw UsageError("\(path) is damaged: run wardctl login again")
        }
    }
}

/// Connects with the saved session and runs `body` signed in.
@discardableResult
func withSession<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
    let saved = try SavedSession.load()
    var logger = Logger(label: "wardctl")
    logger.logLevel = .critical
    do {
        return try await WardConnection.withConnection(
            url: saved.url, tls: try WardConnection.pinnedTLS(certificatePEM: saved.certificatePEM),
            serverName: saved.serverName, logger: logger
        ) { connection in
            try await connection.request(ClientRequest(id: 0, type: "resume", token: saved.token))
            return try await body(connection)
        }
    } catch let error as WardClientError {
        if case let .server(code, _, _) = error, code == .sessionExpired { throw UsageError("the session has ended: run wardctl login again") }
        throw UsageError("\(error)")
    }
}

/// Reads a secret from the terminal without echo, or from `variable` when it is set (scripts).
func readSecret(prompt: String, variable: String) throws -> String {
    if let value = ProcessInfo.processInfo.environment[variable] { return value }
    guard let pointer = getpass(prompt) else { throw UsageError("cannot read a password (no terminal); set \(variable)") }
    return String(cString: pointer)
}
