extension Reply {
    /// `consent.grant`, `consent.withdraw`, `consent.list`: the person's consent records, and
    /// what can be consented to with the texts in force.
    public struct Consents: ReplyPayload {
        public var consents: [ConsentInfo]
        public var consentPurposes: [ConsentPurposeInfo]

        public init(consents: [ConsentInfo], consentPurposes: [ConsentPurposeInfo]) {
            (self.consents, self.consentPurposes) = (consents, consentPurposes)
        }
    }

    /// `gdpr.export`: one page of the export.
    public struct Export: ReplyPayload {
        public var exportPage: ExportPage

        public init(exportPage: ExportPage) { self.exportPage = exportPage }
    }

    /// `gdpr.erase.request` (the one filed), `gdpr.requests`.
    public struct ErasureRequests: ReplyPayload {
        public var erasureRequests: [ErasureRequestInfo]

        public init(erasureRequests: [ErasureRequestInfo]) { self.erasureRequests = erasureRequests }
    }

    /// `gdpr.erase`: what was erased and kept, or, when it waits for a second person, `approvals`.
    public struct Erasure: ReplyPayload {
        public var erasureReceipt: ErasureReceipt?
        public var approvals: [ApprovalInfo]?

        public init(erasureReceipt: ErasureReceipt) { self.erasureReceipt = erasureReceipt }

        public init(waitingFor approval: ApprovalInfo) { approvals = [approval] }
    }

    /// `gdpr.hold.place`, `gdpr.hold.release`, `gdpr.holds`: legal holds.
    public struct LegalHolds: ReplyPayload {
        public var legalHolds: [LegalHoldInfo]

        public init(legalHolds: [LegalHoldInfo]) { self.legalHolds = legalHolds }
    }

    /// `gdpr.purge`: what the retention job removed.
    public struct Purge: ReplyPayload {
        public var purgeReceipt: PurgeReceipt

        public init(purgeReceipt: PurgeReceipt) { self.purgeReceipt = purgeReceipt }
    }
}
