import Foundation
import WardCrypto

/// The policies loaded from a directory: every `*.cedar` file under it (except under `tests/`),
/// parsed and compiled, with the hash that audit entries name.
public struct PolicySet: Sendable {
    /// One policy file: its path relative to the directory, and its text.
    public struct Source: Hashable, Sendable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            (self.path, self.text) = (path, text)
        }
    }

    public let sources: [Source]
    public let compiled: CompiledPolicySet
    /// SHA-256 over the sorted (path, content) pairs (policies/README.md gives the encoding).
    public let hash: [UInt8]

    public var policies: [Policy] { compiled.policies }
    public var hashHex: String { Hex.encode(hash) }

    /// Parses and compiles `sources`; errors name file:line:col.
    public init(sources: [Source]) throws {
        let sorted = PolicySet.sorted(sources)
        var policies: [Policy] = []
        for source in sorted { policies += try PolicyParser.parse(source.text, file: source.path) }
        self.sources = sorted
        self.compiled = try CompiledPolicySet(policies)
        self.hash = PolicySet.hash(sorted)
    }

    /// Reads every `*.cedar` file under `directory` (not under `tests/`).
    public static func load(directory: String) throws -> PolicySet {
        try PolicySet(sources: readSources(directory: directory))
    }

    /// The `*.cedar` files under `directory`, with paths relative to it.
    public static func readSources(directory: String) throws -> [Source] {
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PolicyLoadError.notADirectory(directory)
        }
        guard let walker = FileManager.default.enumerator(atPath: directory) else { throw PolicyLoadError.notADirectory(directory) }
        var sources: [Source] = []
        while let relative = walker.nextObject() as? String {
            if relative == "tests" || relative.hasPrefix("tests/") { continue }
            guard relative.hasSuffix(".cedar") else { continue }
            let url = root.appendingPathComponent(relative)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw PolicyLoadError.unreadable(relative) }
            guard let text = String(data: data, encoding: .utf8) else { throw PolicyLoadError.notUTF8(relative) }
            sources.append(Source(path: relative, text: text))
        }
        guard !sources.isEmpty else { throw PolicyLoadError.empty(directory) }
        return sources
    }

    /// Files in hashing order: by path, bytewise.
    static func sorted(_ sources: [Source]) -> [Source] {
        sources.sorted { (a: Source, b: Source) in a.path.utf8.lexicographicallyPrecedes(b.path.utf8) }
    }

    /// SHA-256 of, for each file in path order: u32 length of the path ‖ path (UTF-8) ‖ u64
    /// length of the content ‖ content (all lengths big-endian).
    static func hash(_ sources: [Source]) -> [UInt8] {
        var bytes: [UInt8] = []
        for source in sorted(sources) {
            let path = Array(source.path.utf8), text = Array(source.text.utf8)
            withUnsafeBytes(of: UInt32(path.count).bigEndian) { bytes += $0 }
            bytes += path
            withUnsafeBytes(of: UInt64(text.count).bigEndian) { bytes += $0 }
            bytes += text
        }
        return SHA256Hash.digest(bytes)
    }
}

/// Why a policy directory could not be loaded.
public enum PolicyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    case notADirectory(String)
    case unreadable(String)
    case notUTF8(String)
    case empty(String)
    case testsFailed([String])
    case refused(String)

    public var description: String {
        switch self {
        case let .notADirectory(path): return "\(path) is not a directory"
        case let .unreadable(path): return "cannot read \(path)"
        case let .notUTF8(path): return "\(path) is not UTF-8 text"
        case let .empty(path): return "\(path) has no .cedar files"
        case let .testsFailed(failures): return "policy tests failed:\n" + failures.joined(separator: "\n")
        case let .refused(reason): return "policy set refused: \(reason)"
        }
    }
}
