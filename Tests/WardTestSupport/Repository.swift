public import Foundation

/// The checkout the tests run in: the documents, schemas, policies and scripts they hold the code
/// to, found from this file's place in it (Tests/WardTestSupport/).
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file or directory of the checkout, e.g. `Repository.path("policies")`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// A text file of the checkout, e.g. `docs/PROTOCOL.md`.
    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }
}

/// The rows of a Markdown document's tables whose first cell names something in backquotes
/// (`` | `user.create` | … ``): how the documents list requests, kinds and sections.
public struct DocumentRow: Sendable {
    /// The names in backquotes in the first cell.
    public var names: [String]
    /// Every cell, trimmed.
    public var cells: [String]

    public static func rows(of document: String) -> [DocumentRow] {
        document.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return DocumentRow(names: quoted(in: cells.first ?? ""), cells: cells)
        }
    }

    /// The texts between backquotes: `` `a` or `b` `` gives a and b.
    public static func quoted(in text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
