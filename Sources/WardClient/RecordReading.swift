public import WardProtocol

extension WardConnection {
    /// A whole record (or section), page after page: `request` is a `record.read`.
    public func readRecord(_ request: ClientRequest) async throws -> [RecordEntryInfo] {
        var page = request
        var entries: [RecordEntryInfo] = []
        // Bounded: a page holds at least one entry.
        for _ in 0..<100_000 {
            let reply = try await self.request(page)
            entries += reply.recordEntries ?? []
            guard let next = reply.next, next > (page.after ?? 0) else { break }
            page.after = next
        }
        return entries
    }
}
