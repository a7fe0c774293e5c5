extension Reply {
    /// `record.read`: a page of a patient's record. Written and read by hand on the hot path
    /// (`ReplyEncoding`, `ReplyDecoding`).
    public struct RecordPage: ReplyPayload {
        public var recordEntries: [RecordEntryInfo]
        /// Where the next page starts (send it as `after`); absent on the last page.
        public var next: Int?
        /// Entries withheld from this reader, by basis.
        public var withheld: [String: Int]?
        /// On the first page: the record's amendment requests and answers.
        public var amendments: [AmendmentInfo]?

        public init(recordEntries: [RecordEntryInfo], next: Int?, withheld: [String: Int]?, amendments: [AmendmentInfo]? = nil) {
            (self.recordEntries, self.next, self.withheld, self.amendments) = (recordEntries, next, withheld, amendments)
        }
    }

    /// `record.write`: the entries written.
    public struct RecordEntries: ReplyPayload {
        public var recordEntries: [RecordEntryInfo]

        public init(recordEntries: [RecordEntryInfo]) { self.recordEntries = recordEntries }
    }

    /// `record.amend`, `record.amendments`, `record.amend.decide`, `record.amend.disagree`.
    public struct Amendments: ReplyPayload {
        public var amendments: [AmendmentInfo]

        public init(amendments: [AmendmentInfo]) { self.amendments = amendments }
    }

    /// `breakglass.open` (the access), `breakglass.list`, `breakglass.review`.
    public struct BreakGlassUses: ReplyPayload {
        public var breakGlassUses: [BreakGlassInfo]

        public init(breakGlassUses: [BreakGlassInfo]) { self.breakGlassUses = breakGlassUses }
    }
}
