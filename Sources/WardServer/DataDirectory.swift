import Foundation
public import WardAudit
public import WardCrypto
import WardProtocol
import WardStore

/// The server's data directory: database, audit log and its key, master key, TLS material.
/// Files holding secrets are 0600; the directory is 0700.
public struct DataDirectory: Sendable {
    public let path: String
    /// Where the two keys that unlock everything else live — the master key (second factors,
    /// subject keys) and the audit log's signing key: the data directory itself, or (`--keys-dir`,
    /// issue 19) a directory of their own on another disk, or a tmpfs a key manager fills at
    /// boot, so that a copy of the data directory holds neither.
    public let keys: String

    public init(path: String, keys: String? = nil) {
        self.path = path
        self.keys = keys ?? path
    }

    public var database: String { path + "/ward.sqlite" }
    public var auditLog: String { path + "/audit" }
    public var auditKey: String { keys + "/audit.key" }
    public var auditVerifierKey: String { path + "/audit.vkey" }
    public var masterKey: String { keys + "/master.key" }
    public var serverID: String { path + "/server.id" }
    /// Per-subject data keys (crypto-shredding); kept out of the database so that erasure can
    /// destroy them while database backups keep only ciphertext.
    public var subjectKeys: String { path + "/subject-keys" }
    /// Erasable texts the audit log commits to (audit/FORMAT.md §7).
    public var auditTexts: String { path + "/audit-texts" }
    public var tlsCertificate: String { path + "/tls/cert.pem" }
    public var tlsKey: String { path + "/tls/key.pem" }
    /// The bearer token /metrics asks for (0600): the counters are not for anyone on the network.
    public var metricsToken: String { path + "/metrics.token" }

    /// What `init` made: the first administrator's username and one-time password.
    public struct Initialised: Sendable {
        public var adminUsername: String
        public var adminPassword: String
        public var certificateFingerprint: String
    }

    /// Creates everything a new server needs. Refuses to touch a directory that already holds
    /// any of it.
    public func initialise(hostnames: [String], passwordHasher: Argon2id) async throws -> Initialised {
        let fm = FileManager.default
        for existing in [database, auditLog, auditKey, masterKey, serverID, tlsKey] where fm.fileExists(atPath: existing) {
            throw ServerError.alreadyInitialised(existing)
        }
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        try fm.createDirectory(atPath: path + "/tls", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.createDirectory(atPath: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        let server = "server:" + OpaqueID.make()
        try Self.writeNew(serverID, server + "\n", mode: 0o644)
        let signer = try NoteSigner.generate(name: "ward/audit/" + server.dropFirst("server:".count))
        try Self.writeNew(auditKey, signer.privateKeyText + "\n", mode: 0o600)
        try Self.writeNew(auditVerifierKey, signer.verifier.vkey + "\n", mode: 0o644)
        try Self.writeNew(masterKey, Base64.encode(SecureRandom.bytes(32)) + "\n", mode: 0o600)
        let tls = try SelfSignedCertificate.make(hostnames: hostnames)
        try Self.writeNew(tlsCertificate, tls.certificatePEM, mode: 0o644)
        try Self.writeNew(tlsKey, tls.privateKeyPEM, mode: 0o600)
        _ = try loadMetricsToken()

        let db = try WardDatabase(path: database)
        let password = OneTimePassword.make()
        let admin = UserRecord(
            id: "user:" + OpaqueID.make(), username: "admin", displayName: "Administrator", role: .admin,
            passwordHash: try passwordHasher.hash(password: Array(password.utf8)), mustChangePassword: true,
            createdAt: Clock.nowSeconds())
        try await db.insert(admin)

        let log = try AuditLog.open(.init(directory: auditLog, signer: signer, source: server))
        try await log.append(
            AuditEvent(
                type: "server.init", action: .create, actorID: "system:server", actorRole: "system",
                objectType: "server", objectID: server))
        try await log.append(
            AuditEvent(
                type: "user.create", action: .create, actorID: "system:server", actorRole: "system",
                objectType: "user", objectID: admin.id, subjectID: admin.id, details: ["role": "Admin"]))
        try await log.close()
        return Initialised(adminUsername: admin.username, adminPassword: password, certificateFingerprint: tls.fingerprint)
    }

    /// Gives the clinic back an Admin when none can sign in (every Admin's password or second
    /// factor lost, or their accounts disabled): with `username`, that Admin account is enabled,
    /// its second factor removed and its password replaced by a one-time one; without, a new
    /// Admin account is made. Run on the data directory while the server is stopped: the audit
    /// log's lock refuses a second writer. Audited as `account.recover` by the operator.
    public func recoverAdmin(username: String?, passwordHasher: Argon2id) async throws -> (username: String, password: String) {
        let (server, signer) = try loadIdentity()
        let log = try AuditLog.open(.init(directory: auditLog, signer: signer, source: server))
        do {
            let db = try WardDatabase(path: database)
            let password = OneTimePassword.make()
            let hash = try passwordHasher.hash(password: Array(password.utf8))
            let account: UserRecord
            if let username {
                guard let existing = try db.user(named: username), existing.role == .admin else {
                    throw ServerError.noSuchAdmin(username)
                }
                try await db.setPassword(userID: existing.id, hash: hash, mustChange: true, keeping: nil)
                try await db.removeSecondFactor(userID: existing.id)
                try await db.setActive(userID: existing.id, true)
                try await db.resetFailedLogins(userID: existing.id)
                account = existing
            } else {
                var name = "admin-recovery"
                var n = 1
                while try db.user(username: name) != nil {
                    n += 1
                    name = "admin-recovery-\(n)"
                }
                account = UserRecord(
                    id: "user:" + OpaqueID.make(), username: name, displayName: "Administrator (recovery)", role: .admin,
                    passwordHash: hash, mustChangePassword: true, createdAt: Clock.nowSeconds())
                try await db.insert(account)
            }
            try await log.append(
                AuditEvent(
                    type: "account.recover", action: username == nil ? .create : .update, actorID: "system:operator",
                    actorRole: "system", objectType: "user", objectID: account.id, subjectID: account.id,
                    details: ["role": "Admin", "how": username == nil ? "created" : "reset"]))
            try await log.close()
            return (account.username, password)
        } catch {
            try? await log.close()
            throw error
        }
    }

    /// Reads the server id and the audit signing key, checking the key file is private.
    public func loadIdentity() throws -> (serverID: String, signer: NoteSigner) {
        guard let idData = FileManager.default.contents(atPath: serverID) else { throw ServerError.notInitialised(path) }
        let id = String(decoding: idData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.requirePrivate(auditKey)
        guard let keyData = FileManager.default.contents(atPath: auditKey) else { throw ServerError.notInitialised(path) }
        return (id, try NoteSigner(privateKeyText: String(decoding: keyData, as: UTF8.self)))
    }

    /// The master key for data at rest (0600, 32 bytes in base64).
    public func loadMasterKey() throws -> SecureBytes {
        try Self.requirePrivate(masterKey)
        guard let data = FileManager.default.contents(atPath: masterKey),
            let bytes = Base64.decode(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        else { throw ServerError.notInitialised(path) }
        return SecureBytes(bytes)
    }

    /// The token /metrics wants (`Authorization: Bearer TOKEN`), made on first use for a data
    /// directory initialised before there was one.
    public func loadMetricsToken() throws -> String {
        if !FileManager.default.fileExists(atPath: metricsToken) {
            try Self.writeNew(metricsToken, SessionToken.make() + "\n", mode: 0o600)
        }
        try Self.requirePrivate(metricsToken)
        guard let data = FileManager.default.contents(atPath: metricsToken) else { throw ServerError.notInitialised(path) }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= 32 else { throw ServerError.insecureFile(metricsToken) }
        return token
    }

    /// Throws unless `file` is readable by its owner only.
    static func requirePrivate(_ file: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else { throw ServerError.insecureFile(file) }
    }

    /// Creates `file` with `mode` from the start (O_EXCL: never over an existing file or through
    /// a link planted in its place), writes `text` and syncs it. A key file is never, even for a
    /// moment, readable by others, as it was when created first and chmod-ed after (issue 16, item 10).
    static func writeNew(_ file: String, _ text: String, mode: Int) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        guard descriptor >= 0 else { throw ServerError.cannotWrite(file) }
        defer { close(descriptor) }
        // The umask may have narrowed the mode; public files (the certificate) get theirs.
        guard fchmod(descriptor, mode_t(mode)) == 0 else { throw ServerError.cannotWrite(file) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw ServerError.cannotWrite(file) }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw ServerError.cannotWrite(file) }
    }
}

/// Errors that stop the server from starting, each saying what to do.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    case alreadyInitialised(String)
    case notInitialised(String)
    case insecureFile(String)
    case cannotWrite(String)
    case noSuchAdmin(String)
    case unreadable(String)
    /// A backup that cannot be trusted or used; nothing was written where it was to be restored.
    case backupRefused(String)

    public var description: String {
        switch self {
        case let .alreadyInitialised(file): return "\(file) already exists: the data directory is initialised; init refuses to overwrite anything"
        case let .notInitialised(path): return "\(path) is not an initialised data directory: run ward-server init --data \(path)"
        case let .insecureFile(file): return "\(file) is readable by others: chmod 600 \(file)"
        case let .cannotWrite(file): return "cannot write \(file)"
        case .noSuchAdmin: return "no Admin account has that username: leave out --username to make a new Admin account"
        case let .unreadable(file): return "cannot read \(file)"
        case let .backupRefused(why): return "backup refused: \(why)"
        }
    }
}

/// Opaque random ids: 26 characters of Crockford base32 (130 bits).
enum OpaqueID {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    static func make() -> String {
        let bytes = SecureRandom.bytes(17)
        var bits = 0, value: UInt32 = 0
        var out = ""
        for byte in bytes {
            value = value << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 && out.count < 26 {
                bits -= 5
                out.append(alphabet[Int((value >> UInt32(bits)) & 31)])
            }
        }
        return out
    }
}

/// One-time passwords for new accounts: 20 characters from an alphabet without look-alikes.
enum OneTimePassword {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    static func make(length: Int = 20) -> String {
        // Rejection sampling keeps every character equally likely.
        var out = ""
        while out.count < length {
            for byte in SecureRandom.bytes(32) where Int(byte) < 256 - 256 % alphabet.count && out.count < length {
                out.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return out
    }
}

enum Clock {
    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
