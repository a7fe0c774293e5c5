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

    static var path: String { UserFiles.directory + "/" + fileName }
    static let fileName = "wardctl-session.json"

    func save() throws {
        try UserFiles.writePrivate(try JSONEncoder().encode(self), to: Self.fileName)
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
            try await connection.request(Resume(token: saved.token))
            return try await body(connection)
        }
    } catch let error as WardClientError {
        if case let .server(code, _, _) = error, code == .sessionExpired { throw UsageError("the session has ended: run wardctl login again") }
        throw UsageError("\(error)")
    }
}
