import Foundation
import Testing
import WardTestSupport

/// Every command's `--help` as a person reads it (issue 20): argument-parser wraps the text to
/// the terminal, so a line break written into a discussion shows as a sentence broken in the
/// middle at any other width. At 1,000 columns nothing wraps, and every line must end a sentence,
/// a clause or a list item.
@Suite("Help texts")
struct HelpTextTests {
    static let wide = ["COLUMNS": "1000"]

    @Test func noHelpTextBreaksASentenceInTheMiddle() async throws {
        try await offThePool {
            var broken: [String] = []
            var checked = 0
            for binary in [Binaries.wardctl, Binaries.ward, Binaries.wardServer, Binaries.auditctl, Binaries.wardBench] {
                for command in try Self.commands(of: binary) {
                    let help = try runProcess(binary, command + ["--help"], environment: Self.wide)
                    checked += 1
                    let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                    for (line, next) in zip(lines, lines.dropFirst()) where Self.continuesMidSentence(line, next) {
                        broken.append("\(URL(fileURLWithPath: binary).lastPathComponent) \(command.joined(separator: " ")): \(line) ⏎ \(next)")
                    }
                }
            }
            #expect(checked > 40, "every command was read (\(checked))")
            #expect(broken.isEmpty, "help texts broken mid-sentence:\n\(broken.joined(separator: "\n"))")
        }
    }

    /// A line that ends inside a sentence (a letter, a digit or a comma) followed by its rest
    /// at the same indentation, in small letters.
    static func continuesMidSentence(_ line: Substring, _ next: Substring) -> Bool {
        guard let last = line.last, last.isLetter || last.isNumber || last == ",", let first = next.first(where: { !$0.isWhitespace }),
            first.isLowercase
        else { return false }
        return line.prefix { $0 == " " }.count == next.prefix { $0 == " " }.count
    }

    /// Every command path of `binary` (`[]` for the binary itself), from the SUBCOMMANDS
    /// sections of its help, three levels deep at most.
    static func commands(of binary: String) throws -> [[String]] {
        var found: [[String]] = [[]]
        var queue: [[String]] = [[]]
        while let command = queue.first, command.count < 3 {
            queue.removeFirst()
            let help = try runProcess(binary, command + ["--help"], environment: wide).stdout
            guard let section = help.range(of: "SUBCOMMANDS:\n") else { continue }
            for line in help[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty || !line.hasPrefix("  ") { break }
                guard let name = line.split(separator: " ").first, name != "help" else { continue }
                let child = command + [String(name)]
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }
}
