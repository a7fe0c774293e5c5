/// The privacy requests' payloads (docs/PROTOCOL.md, "Consent", "GDPR"): consent, the subject's
/// export, erasure and legal holds.

/// `consent.grant`: consent to `purpose`, agreeing to the version of its text in force.
public struct ConsentGrant: RequestPayload {
    public static let type = RequestType.consentGrant
    public typealias Answer = Reply.Consents
    public var purpose: String
    public var consentVersion: String

    public init(purpose: String, consentVersion: String) {
        (self.purpose, self.consentVersion) = (purpose, consentVersion)
    }
}

/// `consent.withdraw`: the standing consent to `purpose` ends.
public struct ConsentWithdraw: RequestPayload {
    public static let type = RequestType.consentWithdraw
    public typealias Answer = Reply.Consents
    public var purpose: String

    public init(purpose: String) { self.purpose = purpose }
}

/// `gdpr.export`: one `section` of a person's export (the asker's own unless `userID`), from `after`.
public struct GDPRExport: RequestPayload {
    public static let type = RequestType.gdprExport
    public typealias Answer = Reply.Export
    public var userID: String?
    public var section: String
    public var after: Int?

    public init(userID: String? = nil, section: String, after: Int? = nil) {
        (self.userID, self.section, self.after) = (userID, section, after)
    }
}

/// `gdpr.erase.request`: an erasure request, for the asker (or, by a privacy officer, for
/// `userID`), with an optional `note` for the privacy officer.
public struct GDPREraseRequest: RequestPayload {
    public static let type = RequestType.gdprEraseRequest
    public typealias Answer = Reply.ErasureRequests
    public var userID: String?
    public var note: String?

    public init(userID: String? = nil, note: String? = nil) {
        (self.userID, self.note) = (userID, note)
    }
}

/// `gdpr.erase`: the privacy officer executes the erasure of `userID`.
public struct GDPRErase: RequestPayload {
    public static let type = RequestType.gdprErase
    public typealias Answer = Reply.Erasure
    public var userID: String

    public init(userID: String) { self.userID = userID }
}

/// `gdpr.hold.place`: a legal hold for the matter `reference`, on a person (`userID`) or a
/// conversation (`roomID`).
public struct GDPRHoldPlace: RequestPayload {
    public static let type = RequestType.gdprHoldPlace
    public typealias Answer = Reply.LegalHolds
    public var reference: String
    public var userID: String?
    public var roomID: String?

    public init(reference: String, userID: String? = nil, roomID: String? = nil) {
        (self.reference, self.userID, self.roomID) = (reference, userID, roomID)
    }
}

/// `gdpr.hold.release`: one standing hold ends.
public struct GDPRHoldRelease: RequestPayload {
    public static let type = RequestType.gdprHoldRelease
    public typealias Answer = Reply.LegalHolds
    public var holdID: Int
    public var kind: String?

    public init(holdID: Int, kind: String? = nil) {
        (self.holdID, self.kind) = (holdID, kind)
    }
}
