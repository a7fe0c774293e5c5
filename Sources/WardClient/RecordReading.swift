public import WardProtocol

extension WardConnection {
    /// A whole record (or section), page after page.
    public func readRecord(_ request: RecordRead) async throws -> [RecordEntryInfo] {
        try await readRecordView(request).entries
    }

    /// A whole record, the entries withheld from this reader counted by basis, and the record's
    /// amendment requests (with their answers and any statement of disagreement).
    public func readRecordView(_ request: RecordRead) async throws -> (
        entries: [RecordEntryInfo], withheld: [String: Int], amendments: [AmendmentInfo]
    ) {
        var page = request
        var entries: [RecordEntryInfo] = []
        var withheld: [String: Int] = [:]
        var amendments: [AmendmentInfo] = []
        // Bounded: a page holds at least one entry.
        for _ in 0..<100_000 {
            let reply = try await self.request(page)
            entries += reply.recordEntries
            withheld = reply.withheld ?? withheld
            amendments += reply.amendments ?? []
            guard let next = reply.next, next > (page.after ?? 0) else { break }
            page.after = next
        }
        return (entries, withheld, amendments)
    }
}
