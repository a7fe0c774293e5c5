import Foundation
import WardClient
import WardCommandLine
#if canImport(Glibc)
    import Glibc
#endif

/// The servers this person has trusted, each with the certificate it presented then (as ssh's
/// known_hosts): `known_servers.json` in the config directory, mode 0600.
struct KnownServers: Codable {
    struct Entry: Codable {
        var fingerprint: String
        var certificatePEM: String
    }

    var servers: [String: Entry] = [:]

    static let fileName = "known_servers.json"

    static func load() throws -> KnownServers {
        guard let data = UserFiles.read(fileName) else { return KnownServers() }
        do { return try JSONDecoder().decode(KnownServers.self, from: data) } catch {
            throw UsageError("\(UserFiles.directory)/\(fileName) is damaged; move it aside and confirm the servers again")
        }
    }

    func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try UserFiles.writePrivate(try encoder.encode(self), to: Self.fileName)
    }

    /// The certificate to trust for `target`: from `--ca`, from this file, or — first contact —
    /// the one the server presents, once the person accepts its fingerprint.
    static func certificate(for target: Target, ca: String?, acceptFingerprint: String?) async throws -> String {
        if let ca {
            guard let pem = try? String(contentsOfFile: ca, encoding: .utf8) else { throw UsageError("cannot read \(ca)") }
            return pem
        }
        var known = try load()
        if let entry = known.servers[target.server] { return entry.certificatePEM }
        let presented: ServerCertificate
        do { presented = try await ServerCertificate.fetch(host: target.host, port: target.port) } catch {
            throw UsageError("cannot reach \(target.server): \(error)")
        }
        warn("The server \(target.server) is not known yet. Its certificate's fingerprint is\n  \(presented.fingerprint)")
        warn("Compare it with the one ward-server printed when it started.")
        if let acceptFingerprint {
            guard acceptFingerprint.uppercased() == presented.fingerprint.uppercased() else {
                throw UsageError("the fingerprint given with --trust-fingerprint does not match the server's; not connecting")
            }
        } else {
            guard isatty(STDIN_FILENO) != 0 else {
                throw UsageError("not trusting \(target.server) without a person to confirm it: check the fingerprint, then pass --trust-fingerprint")
            }
            warn("Trust it? [y/N] ", newline: false)
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw UsageError("not trusted; not connecting") }
        }
        known.servers[target.server] = Entry(fingerprint: presented.fingerprint, certificatePEM: presented.pem)
        try known.save()
        return presented.pem
    }

    /// After a TLS failure with a pinned certificate: a clear warning if the server now presents another one.
    static func explainFailure(for target: Target, _ error: any Error) async -> any Error {
        guard let entry = (try? load())?.servers[target.server],
            let presented = try? await ServerCertificate.fetch(host: target.host, port: target.port),
            presented.fingerprint != entry.fingerprint
        else { return error }
        return UsageError(
            """
            WARNING: the certificate of \(target.server) has changed.
              pinned:    \(entry.fingerprint)
              presented: \(presented.fingerprint)
            Someone may be intercepting the connection, or the appliance was set up again. Not connecting.
            If the change is expected, remove "\(target.server)" from \(UserFiles.directory)/\(fileName) and confirm the new fingerprint.
            """)
    }
}
