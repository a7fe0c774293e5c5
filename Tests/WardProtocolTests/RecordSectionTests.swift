import Foundation
import Testing
import WardProtocol
import WardTestSupport

/// The record's sections and their FHIR resource types are the ones docs/RECORDS.md gives: the
/// server checks a resource against `RecordSection.resourceType`, and clients build from it.
@Suite("Record sections")
struct RecordSectionTests {
    @Test func everySectionHoldsTheResourceTheDocumentGives() throws {
        var documented: [String: String] = [:]
        for row in DocumentRow.rows(of: try Repository.text("docs/RECORDS.md")) {
            guard row.cells.count >= 2, let name = row.names.first, row.cells[1].hasPrefix("[") else { continue }
            documented[name] = String(row.cells[1].dropFirst().prefix { $0 != "]" })
        }
        #expect(documented == Dictionary(uniqueKeysWithValues: RecordSection.allCases.map { ($0.rawValue, $0.resourceType) }))
    }
}
