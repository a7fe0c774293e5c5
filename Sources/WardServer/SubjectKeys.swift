public import Foundation
import Synchronization
public import WardCrypto
#if canImport(Glibc)
    import Glibc
#endif

/// Per-subject data keys (crypto-shredding, GDPR Art. 17). What the server stores about a person
/// that erasure must make unreadable everywhere — including old copies in backups and in the
/// database's write-ahead log — is sealed at rest with a key of that person (one per scope, a
/// scope being a room), and erasure destroys the key. The keys live outside the database, one
/// 0600 file each under `subject-keys/`, sealed with the master key, so a database backup holds
/// only ciphertext whose key can be destroyed.
public final class SubjectKeys: Sendable {
    public let directory: String
    private let masterKey: SecureBytes
    /// Opened keys by file name; a destroyed key leaves the cache in the same critical section.
    private let cache = Mutex<[String: SecureBytes]>([:])

    /// Stored sealed data begins with this byte (the envelope JSON stored before keys existed begins with `{`).
    static let sealedFormat: UInt8 = 0x01

    public init(directory: String, masterKey: SecureBytes) throws {
        self.directory = directory
        self.masterKey = masterKey
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    public enum KeyError: Error, CustomStringConvertible {
        case damaged(String)
        case cannotWrite(String, Int32)

        public var description: String {
            switch self {
            case let .damaged(file): return "\(file) does not open with the master key: the subject key is damaged or from another server"
            case let .cannotWrite(file, code): return "cannot write \(file): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Seals `data` for storage under the key of `subject` in `scope`; `context` (the row's id)
    /// binds the ciphertext to its row, so it cannot be moved to another.
    public func seal(_ data: Data, subject: String, scope: String, context: String) throws -> Data {
        guard let key = try key(subject: subject, scope: scope, create: true) else { throw KeyError.damaged(directory) }
        let sealed = try XChaCha20Poly1305.seal([UInt8](data), key: key, associatedData: Array(context.utf8))
        return Data([Self.sealedFormat] + sealed.combined)
    }

    /// Opens what `seal` stored; nil when the subject's key was destroyed (the data is erased).
    public func open(_ stored: Data, subject: String, scope: String, context: String) throws -> Data? {
        try opener(subject: subject, scope: scope).open(stored, context: context)
    }

    /// Opens many rows of one subject and scope with one look-up of the key (a record's page).
    public func opener(subject: String, scope: String) throws -> Opener {
        Opener(key: try key(subject: subject, scope: scope, create: false))
    }

    public struct Opener: Sendable {
        /// Nil when the key was destroyed.
        let key: SecureBytes?

        public func open(_ stored: Data, context: String) throws -> Data? {
            guard stored.first == SubjectKeys.sealedFormat else { return stored }
            return try openBytes(stored, context: context).map { Data($0) }
        }

        /// The opened bytes as an array (nil when the key was destroyed), one copy fewer than `open`.
        public func openBytes(_ stored: Data, context: String) throws -> [UInt8]? {
            guard stored.first == SubjectKeys.sealedFormat else { return Array(stored) }
            guard let key else { return nil }
            return try XChaCha20Poly1305.open(combined: Array(stored)[1...], key: key, associatedData: Array(context.utf8))
        }
    }

    /// The scopes `subject` has keys in.
    public func scopes(of subject: String) -> [String] {
        let prefix = Hex.encode(subject.utf8) + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) && !$0.hasSuffix(".new") }
            .compactMap { Hex.decode($0.dropFirst(prefix.count)).flatMap { String(bytes: $0, encoding: .utf8) } }.sorted()
    }

    /// Destroys the subject's keys except in `keeping`: overwrites and deletes each file, then
    /// syncs the directory. Returns the scopes destroyed. Destroying twice is not an error.
    @discardableResult
    public func destroy(subject: String, keeping: Set<String> = []) throws -> [String] {
        var destroyed: [String] = []
        try cache.withLock { cache in
            for scope in scopes(of: subject) where !keeping.contains(scope) {
                let name = Self.fileName(subject: subject, scope: scope)
                cache[name] = nil
                let file = directory + "/" + name
                let fd = Glibc.open(file, O_WRONLY | O_CLOEXEC)
                if fd >= 0 {
                    let zeros = [UInt8](repeating: 0, count: 128)
                    _ = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                    _ = fsync(fd)
                    Glibc.close(fd)
                }
                guard unlink(file) == 0 || errno == ENOENT else { throw KeyError.cannotWrite(file, errno) }
                destroyed.append(scope)
            }
        }
        try syncDirectory()
        return destroyed
    }

    private func key(subject: String, scope: String, create: Bool) throws -> SecureBytes? {
        let name = Self.fileName(subject: subject, scope: scope)
        return try cache.withLock { cache -> SecureBytes? in
            if let key = cache[name] { return key }
            let file = directory + "/" + name
            let associated = Array("ward subject key 1\n\(subject)\n\(scope)".utf8)
            if let stored = FileManager.default.contents(atPath: file) {
                guard let message = try? XChaCha20Poly1305.SealedMessage(combined: Array(stored)),
                    let opened = try? XChaCha20Poly1305.open(message, key: masterKey, associatedData: associated)
                else {
                    throw KeyError.damaged(file)
                }
                let key = SecureBytes(opened)
                cache[name] = key
                return key
            }
            guard create else { return nil }
            let key = SecureBytes(randomCount: XChaCha20Poly1305.keyLength)
            let sealed = try XChaCha20Poly1305.seal(key.copyBytes(), key: masterKey, associatedData: associated).combined
            try writeDurably(file, sealed)
            cache[name] = key
            return key
        }
    }

    /// Writes a new 0600 file and syncs it and the directory, so a key that sealed a committed
    /// row is never lost to a crash.
    private func writeDurably(_ file: String, _ bytes: [UInt8]) throws {
        let temporary = file + ".new"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeyError.cannotWrite(temporary, errno) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        Glibc.close(fd)
        guard written == bytes.count, synced == 0 else { throw KeyError.cannotWrite(temporary, errno) }
        guard rename(temporary, file) == 0 else { throw KeyError.cannotWrite(file, errno) }
        try syncDirectory()
    }

    private func syncDirectory() throws {
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw KeyError.cannotWrite(directory, errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw KeyError.cannotWrite(directory, errno) }
    }

    /// `<hex subject>.<hex scope>`: ids may hold characters file names should not.
    static func fileName(subject: String, scope: String) -> String { Hex.encode(subject.utf8) + "." + Hex.encode(scope.utf8) }
}
