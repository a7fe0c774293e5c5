import Foundation

/// Policy tests (policies/tests/*.json): entities, requests, and the decision and determining
/// policies each request must get. The format is documented in policies/README.md.
public struct PolicyTestFile: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var request: AuthorizationRequest
        public var decision: Decision
        /// Expected determining policy ids, in any order.
        public var policies: [String]
    }

    public var path: String
    public var description: String
    public var entities: EntityStore
    public var cases: [Case]
}

/// The outcome of running policy tests.
public struct PolicyTestReport: Sendable {
    public var passed = 0
    /// One line per failing case: file, name, expected, got.
    public var failures: [String] = []
    /// Policies that no case exercised (as a determining policy): each policy needs a test.
    public var uncovered: [String] = []

    public var succeeded: Bool { failures.isEmpty && uncovered.isEmpty }

    /// All problems, for messages.
    public var problems: [String] { failures + uncovered.map { "policy \($0) is not the determining policy of any test case" } }
}

public enum PolicyTests {
    /// Loads every `*.json` test file under `directory` (shared entity files, named by a test
    /// file's "entities" string, are not test files themselves when they hold an array).
    public static func load(directory: String) throws -> [PolicyTestFile] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { throw PolicyLoadError.notADirectory(directory) }
        var files: [PolicyTestFile] = []
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".json") { paths.append(relative) }
        }
        for relative in paths.sorted() {
            let data = try read(directory + "/" + relative, relative)
            let json: CedarJSON.JSON
            do { json = try CedarJSON.parse(data) } catch { throw PolicyTestError(path: relative, message: "\(error)") }
            guard case let .object(fields) = json else { continue } // an array: a shared entities file
            files.append(try file(fields, path: relative, directory: directory))
        }
        return files
    }

    /// Runs `files` against `policies`.
    public static func run(_ files: [PolicyTestFile], against policies: PolicySet) -> PolicyTestReport {
        var report = PolicyTestReport()
        var covered = Set<String>()
        for file in files {
            for test in file.cases {
                let response = policies.compiled.authorize(test.request, entities: file.entities)
                covered.formUnion(response.determiningPolicies)
                let gotPolicies = Set(response.determiningPolicies)
                if response.decision == test.decision && gotPolicies == Set(test.policies) {
                    report.passed += 1
                } else {
                    let expected = test.policies.sorted().joined(separator: ", "), got = response.determiningPolicies.joined(separator: ", ")
                    let (wanted, decided) = (test.decision.rawValue, response.decision.rawValue)
                    var line = "\(file.path): \(test.name): expected \(wanted) by [\(expected)], got \(decided) by [\(got)]"
                    if !response.errors.isEmpty { line += "; errors: " + response.errors.map(\.description).joined(separator: "; ") }
                    report.failures.append(line)
                }
            }
        }
        report.uncovered = policies.policies.map(\.id).filter { !covered.contains($0) }
        return report
    }

    private static func read(_ path: String, _ relative: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw PolicyLoadError.unreadable(relative) }
        return data
    }

    private static func file(_ fields: [String: CedarJSON.JSON], path: String, directory: String) throws -> PolicyTestFile {
        func fail(_ message: String) -> PolicyTestError { PolicyTestError(path: path, message: message) }
        var description = ""
        if case let .string(text)? = fields["description"] { description = text }
        let entities: [Entity]
        switch fields["entities"] {
        case let .string(shared)?:
            let sharedPath = (path as NSString).deletingLastPathComponent
            let full = directory + "/" + (sharedPath.isEmpty ? shared : sharedPath + "/" + shared)
            do { entities = try CedarJSON.entities(try read(full, shared)) } catch { throw fail("entities file \(shared): \(error)") }
        case let .array(items)?:
            do { entities = try items.map(CedarJSON.entity) } catch { throw fail("entities: \(error)") }
        default:
            entities = []
        }
        let store: EntityStore
        do { store = try EntityStore(entities) } catch { throw fail("\(error)") }
        guard case let .array(caseItems)? = fields["cases"] else { throw fail("\"cases\" must be an array") }
        var cases: [PolicyTestFile.Case] = []
        for (index, item) in caseItems.enumerated() {
            guard case var .object(caseFields) = item else { throw fail("case #\(index) must be an object") }
            guard case let .string(name)? = caseFields.removeValue(forKey: "name") else { throw fail("case #\(index) has no \"name\"") }
            guard case let .string(decisionText)? = caseFields.removeValue(forKey: "decision"), let decision = Decision(rawValue: decisionText) else {
                throw fail("case \"\(name)\": \"decision\" must be \"Allow\" or \"Deny\"")
            }
            var expected: [String] = []
            if let policies = caseFields.removeValue(forKey: "policies") {
                guard case let .array(ids) = policies else { throw fail("case \"\(name)\": \"policies\" must be an array of ids") }
                for id in ids {
                    guard case let .string(text) = id else { throw fail("case \"\(name)\": \"policies\" must be an array of ids") }
                    expected.append(text)
                }
            }
            let request: AuthorizationRequest
            do { request = try CedarJSON.request(.object(caseFields)) } catch { throw fail("case \"\(name)\": \(error)") }
            cases.append(.init(name: name, request: request, decision: decision, policies: expected))
        }
        return PolicyTestFile(path: path, description: description, entities: store, cases: cases)
    }
}

/// A policy test file that could not be read.
public struct PolicyTestError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
