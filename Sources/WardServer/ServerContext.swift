public import Foundation
import Logging
public import WardAudit
public import WardCrypto
import WardPolicy
import WardProtocol
public import WardStore

/// The shared pieces every connection uses.
public struct ServerContext: Sendable {
    public var serverID: String
    public var gate: Gate
    public var passwords: PasswordChecker
    public var limits: SessionLimits
    public var minimumPasswordLength = 12
    public let metrics = Metrics()
    /// The signed-in connections, for events.
    let hub = Hub()
    /// Seals second-factor secrets at rest.
    public let masterKey: SecureBytes
    /// Seals what the server stores per person, so that erasure can destroy it (crypto-shredding).
    public let subjectKeys: SubjectKeys
    /// Texts the audit log commits to without holding them, erasable.
    public let auditTexts: ErasableTextStore
    /// Where completed erasures are journalled for restores (`ErasureJournal`); nil: nowhere.
    public var erasureJournal: ErasureJournal?
    /// The backups the server takes or watches (`BackupSchedule`); nil without `--backup-dir`.
    var backups: BackupSchedule?
    /// How long data is kept (the retention job).
    public var retention = RetentionPeriods()
    /// The clinic's time zone: weekly availability is in its wall-clock time.
    public var timeZone = TimeZone(identifier: "UTC") ?? .current
    /// Reminder lead times and the urgent re-alert interval.
    public var notificationTimes = NotificationTimes()
    /// Failed sign-ins per account name and source address, and how long each is blocked.
    public var throttle = SignInThrottle()
    /// Free disk space against the watermark.
    var storage: StorageWatch

    public init(
        serverID: String, gate: Gate, passwords: PasswordChecker, limits: SessionLimits, masterKey: SecureBytes,
        subjectKeys: SubjectKeys, auditTexts: ErasableTextStore
    ) {
        self.serverID = serverID
        self.gate = gate
        self.passwords = passwords
        self.limits = limits
        self.masterKey = masterKey
        self.subjectKeys = subjectKeys
        self.auditTexts = auditTexts
        storage = StorageWatch(path: auditTexts.directory, minimumFreeBytes: 0)
    }
}

/// One client connection's state and its request handling. Used by one task at a time.
