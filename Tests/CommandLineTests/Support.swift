import Foundation
import WardAudit
import WardCrypto
import WardTestSupport

/// Paths of the built executables, which sit beside the test bundle.
enum Binaries {
    static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
    static var auditctl: String { directory.appendingPathComponent("auditctl").path }
    static var wardBench: String { directory.appendingPathComponent("ward-bench").path }
    static var wardctl: String { directory.appendingPathComponent("wardctl").path }
}

/// The repository root (for audit/vectors).
enum Repository {
    static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }
}

func readBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
func writeBytes(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
