/// The record requests' payloads (docs/PROTOCOL.md, "Records"): patient records, amendment
/// requests and emergency (break-glass) access.

/// `record.read`: a page of a patient's record, from entry `after` (0 first); one `section`, or
/// all; with `history`, every earlier version too.
public struct RecordRead: RequestPayload {
    public static let type = RequestType.recordRead
    public typealias Answer = Reply.RecordPage
    public var patientID: String
    public var section: String?
    public var history: Bool?
    public var after: Int?

    public init(patientID: String, section: String? = nil, history: Bool? = nil, after: Int? = nil) {
        (self.patientID, self.section, self.history, self.after) = (patientID, section, history, after)
    }
}

/// `record.write`: a new entry in `section` (the FHIR resource as JSON text), or with `entryID` a
/// new version of that entry; `withhold` keeps the version from the patient's own view on that
/// basis (`none` releases it).
public struct RecordWrite: RequestPayload {
    public static let type = RequestType.recordWrite
    public typealias Answer = Reply.RecordEntries
    public var patientID: String
    public var section: String
    public var resource: String
    public var entryID: String?
    public var withhold: String?

    public init(patientID: String, section: String, resource: String, entryID: String? = nil, withhold: String? = nil) {
        self.patientID = patientID
        self.section = section
        self.resource = resource
        self.entryID = entryID
        self.withhold = withhold
    }
}

/// `record.amend`: the patient asks for an entry to be amended, saying what is wrong in `text`.
public struct RecordAmend: RequestPayload {
    public static let type = RequestType.recordAmend
    public typealias Answer = Reply.Amendments
    public var patientID: String
    public var entryID: String
    public var text: String

    public init(patientID: String, entryID: String, text: String) {
        (self.patientID, self.entryID, self.text) = (patientID, entryID, text)
    }
}

/// `record.amend.decide`: a doctor's answer, `accepted` with the amended `resource` or `denied`
/// with a `reason`.
public struct RecordAmendDecide: RequestPayload {
    public static let type = RequestType.recordAmendDecide
    public typealias Answer = Reply.Amendments
    public var amendmentID: String
    public var verdict: String
    public var resource: String?
    public var reason: String?

    public init(amendmentID: String, verdict: String, resource: String? = nil, reason: String? = nil) {
        (self.amendmentID, self.verdict, self.resource, self.reason) = (amendmentID, verdict, resource, reason)
    }
}

/// `record.amend.disagree`: the patient's statement of disagreement with a denial.
public struct RecordAmendDisagree: RequestPayload {
    public static let type = RequestType.recordAmendDisagree
    public typealias Answer = Reply.Amendments
    public var amendmentID: String
    public var text: String

    public init(amendmentID: String, text: String) {
        (self.amendmentID, self.text) = (amendmentID, text)
    }
}

/// `breakglass.open`: emergency access to a patient's record, with the `reason` as a sentence.
public struct BreakGlassOpen: RequestPayload {
    public static let type = RequestType.breakGlassOpen
    public typealias Answer = Reply.BreakGlassUses
    public var patientID: String
    public var reason: String

    public init(patientID: String, reason: String) {
        (self.patientID, self.reason) = (patientID, reason)
    }
}

/// `breakglass.review`: the privacy officer's `verdict` on one use (`justified`, `unjustified`).
public struct BreakGlassReview: RequestPayload {
    public static let type = RequestType.breakGlassReview
    public typealias Answer = Reply.BreakGlassUses
    public var breakGlassID: Int
    public var verdict: String
    public var kind: String?

    public init(breakGlassID: Int, verdict: String, kind: String? = nil) {
        (self.breakGlassID, self.verdict, self.kind) = (breakGlassID, verdict, kind)
    }
}
