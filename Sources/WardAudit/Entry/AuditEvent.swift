/// What happened, as a caller reports it to the audit log: one event an auditor understands
/// (after RFC 3881 / DICOM PS3.15 A.5 / FHIR AuditEvent). The log adds the sequence number,
/// the time and the previous-entry hash when it appends the event.
///
/// Every text field is an *identifier*: 0 to 128 characters from `A-Z a-z 0-9 . _ : / + = -`.
/// There is deliberately no free-text field, so personal data and message text cannot be
/// written into the log by accident; text that must be kept is committed to by hash
/// (`commitments`) and stored in an erasable store.
public struct AuditEvent: Hashable, Sendable {
    /// Dotted event type, e.g. `auth.login`, `message.send`, `policy.load`. Required.
    public var type: String
    /// What was done to the object.
    public var action: Action
    /// How it ended.
    public var outcome: Outcome
    /// The opaque id of the user or system component that acted. Required.
    public var actorID: String
    /// The actor's role when acting (e.g. `Doctor`, `system`). Required.
    public var actorRole: String
    /// The kind of thing acted on (e.g. `room`, `record`, `session`); empty when none.
    public var objectType: String
    /// The opaque id of the thing acted on; empty when none.
    public var objectID: String
    /// The opaque id of the person whose data it is; empty when none.
    public var subjectID: String
    /// Purpose of use (e.g. `TREAT`, `ETREAT`, `HOPERAT`); empty when none.
    public var purpose: String
    /// The policy decision that allowed or refused the action.
    public var decision: Decision
    /// Ids of the policies that determined the decision (at most 32).
    public var policyIDs: [String]
    /// SHA-256 of the policy set in force, when a policy decided.
    public var policySetHash: Hash32?
    /// Salted commitments to text kept in the erasable store (at most 32).
    public var commitments: [Hash32]
    /// Further identifier-valued facts, by key (at most 32), e.g. `bytes=512`.
    public var details: [String: String]

    public init(
        type: String, action: Action, outcome: Outcome = .success,
        actorID: String, actorRole: String,
        objectType: String = "", objectID: String = "", subjectID: String = "", purpose: String = "",
        decision: Decision = .none, policyIDs: [String] = [], policySetHash: Hash32? = nil,
        commitments: [Hash32] = [], details: [String: String] = [:]
    ) {
        self.type = type
        self.action = action
        self.outcome = outcome
        self.actorID = actorID
        self.actorRole = actorRole
        self.objectType = objectType
        self.objectID = objectID
        self.subjectID = subjectID
        self.purpose = purpose
        self.decision = decision
        self.policyIDs = policyIDs
        self.policySetHash = policySetHash
        self.commitments = commitments
        self.details = details
    }

    /// The action codes of RFC 3881 / FHIR AuditEvent.action.
    public enum Action: UInt8, CaseIterable, Hashable, Sendable {
        case create = 0x43 // "C"
        case read = 0x52 // "R"
        case update = 0x55 // "U"
        case delete = 0x44 // "D"
        case execute = 0x45 // "E"

        /// The one-letter code.
        public var code: String { String(UnicodeScalar(rawValue)) }

        /// Parses `C`, `R`, `U`, `D` or `E`.
        public init?(code: String) {
            guard code.utf8.count == 1, let byte = code.utf8.first, let action = Action(rawValue: byte) else { return nil }
            self = action
        }
    }

    /// The outcome codes of RFC 3881 / FHIR AuditEvent.outcome.
    public enum Outcome: UInt8, CaseIterable, Hashable, Sendable {
        case success = 0
        case minorFailure = 4
        case seriousFailure = 8
        case majorFailure = 12

        /// `success`, `minor`, `serious` or `major`.
        public var name: String {
            switch self {
            case .success: return "success"
            case .minorFailure: return "minor"
            case .seriousFailure: return "serious"
            case .majorFailure: return "major"
            }
        }

        /// Parses a name as `name` gives it.
        public init?(name: String) {
            guard let match = Outcome.allCases.first(where: { $0.name == name }) else { return nil }
            self = match
        }
    }

    /// The policy decision recorded with the event.
    public enum Decision: UInt8, CaseIterable, Hashable, Sendable {
        /// No policy decided (system events such as `audit.start`).
        case none = 0
        case allow = 1
        case deny = 2

        public var name: String {
            switch self {
            case .none: return "none"
            case .allow: return "allow"
            case .deny: return "deny"
            }
        }
    }
}

/// An event as stored: the event plus what the log assigned.
public struct AuditEntry: Hashable, Sendable {
    /// Position in the log, from 0, with no gaps.
    public var seq: UInt64
    /// Microseconds since 1970-01-01T00:00:00Z (UTC). Never decreases along the log.
    public var timeMicros: UInt64
    /// Leaf hash of the entry before this one; all zero for entry 0.
    public var previous: Hash32
    /// The opaque id of the server (audit source) that wrote the entry.
    public var source: String
    /// The event.
    public var event: AuditEvent

    public init(seq: UInt64, timeMicros: UInt64, previous: Hash32, source: String, event: AuditEvent) {
        self.seq = seq
        self.timeMicros = timeMicros
        self.previous = previous
        self.source = source
        self.event = event
    }
}
