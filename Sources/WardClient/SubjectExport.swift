import Foundation
public import WardProtocol

extension WardConnection {
    /// A data subject's export (GDPR Art. 15, 20), assembled from `gdpr.export` pages: the
    /// signed-in user's own when `userID` is nil, anyone's for a privacy officer. Bounded: at most
    /// `maxPages` pages per section.
    public func exportSubject(userID: String? = nil, maxPages: Int = 100_000) async throws -> ExportDocument {
        func page(_ section: String, after: Int) async throws -> ExportPage {
            let page = try await request(GDPRExport(userID: userID, section: section, after: after), pacedBy: .milliseconds(100)).exportPage
            guard page.section == section else { throw WardClientError.unexpectedReply("gdpr.export with another section's page") }
            return page
        }
        guard let account = try await page("account", after: 0).account else {
            throw WardClientError.unexpectedReply("gdpr.export without the account")
        }
        let rooms = try await page("rooms", after: 0).rooms ?? []
        var messages: [MessageInfo] = []
        var access: [AccessRecord] = []
        var records: [RecordEntryInfo] = []
        var recordsWithheld: [String: Int]?
        var amendments: [AmendmentInfo] = []
        for section in ["messages", "access", "records"] {
            var after = 0
            for _ in 0..<maxPages {
                let next = try await page(section, after: after)
                messages += next.messages ?? []
                access += next.access ?? []
                records += next.records ?? []
                recordsWithheld = next.recordsWithheld ?? recordsWithheld
                amendments += next.amendments ?? []
                guard let cursor = next.next else { break }
                after = cursor
            }
        }
        return ExportDocument(
            exportedAt: Int64(Date().timeIntervalSince1970), subjectID: account.profile.userID, account: account,
            rooms: rooms, messages: messages, access: access, records: records,
            recordsWithheld: recordsWithheld, amendments: amendments)
    }
}
