import Foundation
import GRDB
import Testing
import WardPersonalData
@testable import WardStore
import WardTestSupport

/// The registry of personal data covers the schema exactly: every table, every column.
@Suite("Personal-data registry")
struct PersonalDataTests {
    /// Tables and their columns in a database with every migration applied.
    static func schema() throws -> [String: Set<String>] {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let database = try WardDatabase(path: dir.path + "/ward.sqlite")
        return try database.pool.read { db in
            var tables: [String: Set<String>] = [:]
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                tables[table] = Set(try db.columns(in: table).map(\.name))
            }
            return tables
        }
    }

    @Test func everyTableAndColumnIsRegistered() throws {
        let schema = try Self.schema()
        let registered = Dictionary(uniqueKeysWithValues: PersonalData.kinds.map { ($0.table, $0) })
        for (table, columns) in schema {
            if PersonalData.notPersonal[table] != nil { continue }
            guard let kind = registered[table] else {
                Issue.record("table \(table) holds data the personal-data registry does not cover (WardStore/PersonalData.swift)")
                continue
            }
            let described = Set(kind.subjectColumns).union(kind.columns.keys)
            #expect(columns.subtracting(described).isEmpty, "\(table): columns not in the registry: \(columns.subtracting(described).sorted())")
            #expect(
                described.subtracting(columns).isEmpty,
                "\(table): the registry names columns that do not exist: \(described.subtracting(columns).sorted())")
        }
        for table in registered.keys { #expect(schema[table] != nil, "the registry names a table that does not exist: \(table)") }
    }

    @Test func everyKindSaysWhyHowAndHowLong() {
        for kind in PersonalData.kinds {
            #expect(!kind.purpose.isEmpty && kind.legalBasis.contains("Art.") && !kind.export.isEmpty && !kind.retention.isEmpty, "\(kind.table)")
            // What is kept back from erasure names the obligation that keeps it.
            if kind.erasure == .keep { #expect(kind.hold != nil, "\(kind.table) is kept without a stated obligation") }
        }
        let record = PersonalData.record()
        #expect(record.contains("Art. 30") && PersonalData.kinds.allSatisfy { record.contains("table `\($0.table)`") })
    }
}
