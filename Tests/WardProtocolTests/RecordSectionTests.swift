import Foundation
import Testing
import WardProtocol

/// The record's sections and their FHIR resource types are the ones docs/RECORDS.md gives: the
/// server checks a resource against `RecordSection.resourceType`, and clients build from it.
@Suite("Record sections")
struct RecordSectionTests {
    @Test func everySectionHoldsTheResourceTheDocumentGives() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/RECORDS.md")
        var documented: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let name = ReplyTypeTests.quoted(in: cells[0]).first, cells[1].hasPrefix("[") else { continue }
            documented[name] = String(cells[1].dropFirst().prefix { $0 != "]" })
        }
        #expect(documented == Dictionary(uniqueKeysWithValues: RecordSection.allCases.map { ($0.rawValue, $0.resourceType) }))
    }
}
