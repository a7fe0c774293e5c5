import Foundation
import WardAudit
public import WardCrypto
import WardProtocol
import WardStore

/// Backups and restores of a data directory (HIPAA 164.308(a)(7)(ii)(A) and (B); issue 19).
///
/// A backup is a directory: every file encrypted with a fresh data key as a libsodium stream
/// (`FileStream`), the data key sealed to the clinic's backup recovery key (an X25519 key whose
/// private half is kept offline; the appliance keeps only the public half), and `manifest.json`
/// listing each file's size and the SHA-256 of its encrypted bytes, with an HMAC under the data
/// key over the whole manifest. It is written under a `.partial-` name and renamed when whole,
/// so a backup cut short is never taken for one. It holds the audit log up to its newest signed
/// checkpoint, then a snapshot of the database (SQLite's online backup), the subject keys, the
/// erasable texts, the keys and the policies in force: every message acknowledged before that
/// checkpoint is in it. Nothing secret is in it in the clear.
public enum Backup {
    public static let format = "ward-backup-1"
    static let partialPrefix = ".partial-"

    public struct Manifest: Codable, Sendable {
        public var format: String
        public var createdAt: Int64
        public var serverID: String
        /// The signed checkpoint the audit log copy ends at.
        public var checkpoint: String
        public var auditEntries: UInt64
        /// The data key, sealed (crypto_box_seal) to the recovery key; base64.
        public var sealedKey: String
        /// The recovery key's public half, base64.
        public var recipient: String
        public var files: [File]
        /// HMAC-SHA-256 under the data key over the manifest with `mac` empty; base64.
        public var mac: String
    }

    public struct File: Codable, Sendable {
        public var path: String
        public var size: Int
        /// SHA-256 of the encrypted file, hex.
        public var sha256: String
    }

    /// Files every backup must hold.
    static let required = ["ward.sqlite", "audit/entries", "audit/checkpoints", "audit.key", "audit.vkey", "master.key", "server.id"]

    // MARK: Taking one

    /// Backs up `data` (served or not) into a new directory under `destination`; returns its path.
    /// For `ward-server backup`, beside a running server or not: the backup is recorded in the
    /// audit log through an `AuditNote` the server appends.
    public static func take(data: DataDirectory, policies: String, to destination: String) throws -> (path: String, manifest: Manifest) {
        let taken = try take(data: data, policies: policies, to: destination, database: nil)
        try AuditNote(
            kind: .backupTaken, backup: (taken.path as NSString).lastPathComponent, succeeded: true,
            counts: [
                "entries": Int(clamping: taken.manifest.auditEntries), "files": taken.manifest.files.count,
                "bytes": taken.manifest.files.reduce(0) { $0 + $1.size }
            ]
        ).leave(in: data)
        return taken
    }

    /// The same, through a server's own `database` handle (a second one would wait on its writer).
    static func take(
        data: DataDirectory, policies: String, to destination: String,
        database: WardDatabase?
    ) throws -> (path: String, manifest: Manifest) {
        let recipient = try recipient(of: data)
        let (serverID, _) = try data.loadIdentity()
        let fm = FileManager.default
        removeStaleStaging(in: data)
        try fm.createDirectory(atPath: destination, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let createdAt = Clock.nowSeconds()
        let name = "ward-backup-\(createdAt)-\(Hex.encode(SecureRandom.bytes(4)))"
        let partial = destination + "/" + partialPrefix + name
        // Plaintext copies wait in the data directory (as private as the originals) until encrypted.
        let staging = data.path + "/" + stagingPrefix + Hex.encode(SecureRandom.bytes(4))
        for directory in [partial, staging] {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        defer { try? fm.removeItem(atPath: staging) }
        let key = SecureBytes(randomCount: 32)
        var files: [File] = []
        func add(_ plaintext: String, as path: String) throws {
            let target = partial + "/" + path + ".enc"
            try fm.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let size = try FileStream.encrypt(plaintext, to: target, key: key)
            files.append(File(path: path, size: size, sha256: try sha256(of: target)))
        }

        // 1. The audit log up to its newest signed checkpoint.
        let sealed = try SealedPrefix.of(directory: data.auditLog)
        guard let checkpoint = sealed.checkpoint else { throw ServerError.backupRefused("the audit log has no signed checkpoint yet") }
        for (file, length) in [("entries", sealed.entriesEnd), ("checkpoints", sealed.checkpointsEnd)] {
            let copy = staging + "/" + file
            try copyPrefix(of: data.auditLog + "/" + file, length: length, to: copy)
            try add(copy, as: "audit/" + file)
        }
        // 2. The database, after the checkpoint: it holds every message acknowledged before it.
        let snapshot = staging + "/ward.sqlite"
        try (database ?? WardDatabase(path: data.database)).backup(to: snapshot)
        try add(snapshot, as: "ward.sqlite")
        // 3. Keys, texts and the policies in force.
        for (file, source) in keptFiles(data) where fm.fileExists(atPath: source) {
            try add(source, as: file)
        }
        for (directory, prefix) in [(data.subjectKeys, "subject-keys"), (data.auditTexts, "audit-texts"), (policies, "policies")] {
            for file in (fm.subpaths(atPath: directory) ?? []).sorted() {
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: directory + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                try add(directory + "/" + file, as: prefix + "/" + file)
            }
        }
        var manifest = Manifest(
            format: format, createdAt: createdAt, serverID: serverID, checkpoint: checkpoint.text,
            auditEntries: checkpoint.checkpoint.size,
            sealedKey: Base64.encode(try key.withUnsafeBytes { try SealedBox.seal(Array($0), to: recipient) }),
            recipient: Base64.encode(recipient), files: files, mac: "")
        manifest.mac = try mac(manifest, key: key)
        return (try publish(partial, manifest: manifest, as: destination + "/" + name), manifest)
    }

    /// Writes the manifest, syncs the backup and only then gives it its final name (and syncs the
    /// directory that holds it): a backup under its final name is whole.
    static func publish(_ partial: String, manifest: Manifest, as final: String) throws -> String {
        let manifestPath = partial + "/manifest.json"
        guard
            FileManager.default.createFile(
                atPath: manifestPath, contents: try JSONEncoder.sortedKeys.encode(manifest), attributes: [.posixPermissions: 0o600])
        else {
            throw ServerError.cannotWrite(manifestPath)
        }
        try syncTree(partial)
        guard rename(partial, final) == 0 else { throw ServerError.cannotWrite(final) }
        try syncTree((final as NSString).deletingLastPathComponent, recursive: false)
        return final
    }

    // MARK: Checking one

    /// Reads and checks a backup without writing anything: its manifest opens with the recovery
    /// key and its MAC holds, every required file is listed, and every listed file is there with
    /// its hash. Returns the manifest and the data key.
    static func open(_ backup: String, recoveryKey: SealedBox.KeyPair) throws -> (Manifest, SecureBytes) {
        let name = (backup as NSString).lastPathComponent
        guard !name.hasPrefix(partialPrefix) else { throw ServerError.backupRefused("\(backup) was never finished (a backup cut short)") }
        guard let data = FileManager.default.contents(atPath: backup + "/manifest.json"),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.format == format
        else {
            throw ServerError.backupRefused("\(backup) has no readable manifest.json; it is not a whole Ward backup")
        }
        guard let sealedKey = Base64.decode(manifest.sealedKey), let opened = try? SealedBox.open(sealedKey, with: recoveryKey), opened.count == 32
        else {
            throw ServerError.backupRefused(
                "the recovery key does not open this backup (it was made for the key \(fingerprint(Base64.decode(manifest.recipient) ?? [])))")
        }
        let key = SecureBytes(opened)
        guard try mac(manifest, key: key) == manifest.mac else { throw ServerError.backupRefused("manifest.json was altered") }
        let listed = Set(manifest.files.map(\.path))
        if let missing = required.first(where: { !listed.contains($0) }) { throw ServerError.backupRefused("the manifest lists no \(missing)") }
        for file in manifest.files {
            guard !file.path.split(separator: "/").contains(".."), !file.path.hasPrefix("/") else {
                throw ServerError.backupRefused("the manifest names a path outside the backup: \(file.path)")
            }
            let path = backup + "/" + file.path + ".enc"
            guard FileManager.default.fileExists(atPath: path) else { throw ServerError.backupRefused("\(file.path) is missing") }
            guard try sha256(of: path) == file.sha256 else { throw ServerError.backupRefused("\(file.path) was altered or damaged") }
        }
        return (manifest, key)
    }

    /// Decrypts a backup into `staging` (a new directory) and verifies its audit log as
    /// `auditctl verify` does; returns the manifest.
    static func unpack(_ backup: String, recoveryKey: SealedBox.KeyPair, into staging: String) throws -> Manifest {
        let (manifest, key) = try open(backup, recoveryKey: recoveryKey)
        let fm = FileManager.default
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for file in manifest.files {
            let target = staging + "/" + file.path
            try fm.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            do { try FileStream.decrypt(backup + "/" + file.path + ".enc", to: target, key: key) } catch {
                throw ServerError.backupRefused("\(file.path) does not decrypt: it was altered or cut short")
            }
            let mode: Int = ["audit.vkey", "server.id", "tls/cert.pem", "backup-recipient.pub"].contains(file.path) ? 0o644 : 0o600
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        }
        let data = DataDirectory(path: staging)
        guard let vkey = fm.contents(atPath: data.auditVerifierKey), let verifier = try? NoteVerifier(vkey: String(decoding: vkey, as: UTF8.self))
        else {
            throw ServerError.backupRefused("audit.vkey does not read")
        }
        let report = try LogVerifier(key: verifier).verify(directory: data.auditLog)
        guard report.isValid else { throw ServerError.backupRefused("its audit log does not verify: \(report.findings.first.map { "\($0)" } ?? "")") }
        guard let newest = try AuditLogReader(directory: data.auditLog).newestCheckpoint(), newest.text == manifest.checkpoint else {
            throw ServerError.backupRefused("its audit log does not end at the checkpoint the manifest names")
        }
        return manifest
    }

    /// What names a note of a verification in a backup's directory: `verified-<seconds>-whole`
    /// or `-refused`. A server watching the directory audits each one it finds (`backup.verify`).
    public static let verificationPrefix = "verified-"

    /// Leaves the note of a verification's result in the backup's directory (best effort: a
    /// backup on read-only media gets none, and says so). The note is outside the manifest, so it
    /// changes nothing a restore checks.
    public static func noteVerification(of backup: String, whole: Bool) -> Bool {
        let note = backup + "/" + verificationPrefix + "\(Clock.nowSeconds())-" + (whole ? "whole" : "refused")
        return FileManager.default.createFile(atPath: note, contents: Data(), attributes: [.posixPermissions: 0o600])
    }

    /// `backup verify`: everything `restore` checks, in a temporary directory removed after.
    public static func verify(_ backup: String, recoveryKey: SealedBox.KeyPair) throws -> Manifest {
        let staging = NSTemporaryDirectory() + "ward-backup-verify-" + Hex.encode(SecureRandom.bytes(6))
        defer { try? FileManager.default.removeItem(atPath: staging) }
        return try unpack(backup, recoveryKey: recoveryKey, into: staging)
    }
}
