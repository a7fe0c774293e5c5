import Foundation
import Testing
import WardTestSupport

/// The shape issue 20 asked of the code, kept: files that hold one idea (none of WardServer's
/// over 300 lines), functions of one step (none of WardServer's over 60 lines), no line over 150
/// characters anywhere in Sources (swift-format, run by `make test`, wraps code at 150; it leaves
/// strings and comments to us).
@Suite("The sources' shape")
struct SourceShapeTests {
    static let sources = Repository.root.appendingPathComponent("Sources")

    static func swiftFiles(under directory: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    @Test func noLineIsOver150Characters() throws {
        var long: [String] = []
        let files = Self.swiftFiles(under: Self.sources)
        #expect(files.count > 150, "the sources were found")
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where line.count > 150 {
                long.append("\(file.path.replacingOccurrences(of: Self.sources.path + "/", with: "")):\(index + 1) (\(line.count))")
            }
        }
        #expect(long.isEmpty, "lines over 150 characters: \(long)")
    }

    @Test func noWardServerFileIsOver300Lines() throws {
        let files = Self.swiftFiles(under: Self.sources.appendingPathComponent("WardServer"))
        #expect(files.count > 30)
        for file in files {
            let count = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(count <= 300, "\(file.lastPathComponent) has \(count) lines: split it by idea")
        }
    }

    /// Counted from the `func` line to the brace that closes its body (braces in strings and
    /// comments are rare enough here not to matter; a miscount shows as a failure to look at).
    @Test func noWardServerFunctionIsOver60Lines() throws {
        var long: [String] = []
        var counted = 0
        for file in Self.swiftFiles(under: Self.sources.appendingPathComponent("WardServer")) {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (start, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).contains(#/^(public |private |static )*func /#) {
                var depth = 0, opened = false, end = start
                while end < lines.count {
                    for character in lines[end] {
                        if character == "{" { depth += 1; opened = true } else if character == "}" { depth -= 1 }
                    }
                    if opened && depth == 0 { break }
                    end += 1
                }
                counted += 1
                if end - start + 1 > 60 { long.append("\(file.lastPathComponent):\(start + 1) (\(end - start + 1) lines)") }
            }
        }
        #expect(counted > 200, "the functions were found (\(counted))")
        #expect(long.isEmpty, "functions over 60 lines: \(long)")
    }

    /// The database stays behind WardStore's boundary (docs/ARCHITECTURE.md): no other module
    /// imports GRDB, but the backup bench's reference, which measures SQLite without Ward.
    @Test func onlyTheStoreImportsGRDB() throws {
        var importers: [String] = []
        for file in Self.swiftFiles(under: Self.sources) {
            let text = try String(contentsOf: file, encoding: .utf8)
            if text.contains(#/(?m)^(public |internal |package |private |fileprivate )?import GRDB$/#) {
                importers.append(file.path.replacingOccurrences(of: Self.sources.path + "/", with: ""))
            }
        }
        #expect(importers.contains { $0.hasPrefix("WardStore/") }, "the store's imports were found")
        #expect(importers.filter { !$0.hasPrefix("WardStore/") } == ["ward-bench/SQLiteReference.swift"])
    }
}
