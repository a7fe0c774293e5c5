import Foundation
import Testing
import WardPolicy
import WardTestSupport

/// Ward's engine against the Cedar reference engine (cedarpy): generated policy sets, entity
/// graphs and requests, decided by both; decision, determining policies and erroring policies
/// must match on every case. A mismatch prints a reduced reproducer.
@Suite("Agreement with Cedar (cedarpy)")
struct DifferentialTests {
    static let policySets = 60
    static let requestsPerSet = 60

    @Test func agreesWithCedarOnGeneratedCases() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var generator = CedarGenerator(seed: UInt64(ProcessInfo.processInfo.environment["WARD_DIFF_SEED"] ?? "") ?? 20261125)
        var mismatches: [String] = []
        var cases = 0
        var tally = (allow: 0, deny: 0, withErrors: 0)
        for set in 0..<Self.policySets {
            let policies = generator.policySet()
            let entities = generator.entitiesJSON()
            let requests = (0..<Self.requestsPerSet).map { _ in generator.requestJSON() }
            let reference = try Reference.decide(policies: policies, entities: entities, requests: requests, in: dir.path + "/set\(set)")
            let ours = try Ours.decide(policies: policies, entities: entities, requests: requests)
            for i in requests.indices {
                cases += 1
                if reference[i].decision == "Allow" { tally.allow += 1 } else { tally.deny += 1 }
                if !reference[i].errors.isEmpty { tally.withErrors += 1 }
                if reference[i] != ours[i] && mismatches.count < 3 {
                    let reduced = Reduction.reduce(policies: policies, entities: entities, request: requests[i], dir: dir.path + "/reduce")
                    mismatches.append(
                        """
                        MISMATCH (set \(set), request \(i))
                        cedar: \(reference[i])  ward: \(ours[i])
                        \(reduced)
                        """)
                }
            }
            if mismatches.count >= 3 { break }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n\n"))")
        // The generator must exercise every outcome, or agreement would prove little.
        #expect(tally.allow > cases / 20 && tally.deny > cases / 20 && tally.withErrors > cases / 20, "\(tally)")
        #expect(cases >= 3000 || !mismatches.isEmpty)
    }
}

/// One decision in comparable form: decision, determining and erroring policy indices.
struct Outcome: Equatable, CustomStringConvertible {
    var decision: String
    var reasons: [Int]
    var errors: [Int]
    var description: String { "\(decision) reasons=\(reasons) errors=\(errors)" }
}

enum Ours {
    static func decide(policies text: String, entities: [[String: Any]], requests: [[String: Any]]) throws -> [Outcome] {
        let parsed = try PolicyParser.parse(text, file: "generated")
        let compiled = try CompiledPolicySet(parsed)
        let store = try EntityStore(CedarJSON.entities(JSONSerialization.data(withJSONObject: entities)))
        let index = Dictionary(uniqueKeysWithValues: parsed.enumerated().map { ($1.id, $0) })
        return try requests.map { json in
            let request = try CedarJSON.request(JSONSerialization.data(withJSONObject: json))
            let response = compiled.authorize(request, entities: store)
            return Outcome(
                decision: response.decision.rawValue,
                reasons: response.determiningPolicies.compactMap { index[$0] }.sorted(),
                errors: response.errors.compactMap { index[$0.policyID] }.sorted()
            )
        }
    }
}

enum Reference {
    static var script: String { Repository.path("Tests/WardPolicyTests/cedar_reference.py") }

    static func decide(policies: String, entities: [[String: Any]], requests: [[String: Any]], in dir: String) throws -> [Outcome] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try policies.write(toFile: dir + "/policies.cedar", atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: entities).write(to: URL(fileURLWithPath: dir + "/entities.json"))
        let lines = try requests.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n")
        try lines.write(toFile: dir + "/requests.jsonl", atomically: true, encoding: .utf8)
        let result = try runProcess("/usr/bin/env", ["python3", script, dir + "/policies.cedar", dir + "/entities.json", dir + "/requests.jsonl"])
        guard result.status == 0 else {
            throw ReferenceFailure(message: "cedarpy failed (is it installed? make test installs it): \(result.stderr)\npolicies:\n\(policies)")
        }
        return try result.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return Outcome(
                decision: object["decision"] as? String ?? "?", reasons: object["reasons"] as? [Int] ?? [], errors: object["errors"] as? [Int] ?? [])
        }
    }
}

struct ReferenceFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Shrinks a mismatching case: drops policies while the two engines still disagree.
enum Reduction {
    static func disagree(_ policies: [String], _ entities: [[String: Any]], _ request: [String: Any], _ dir: String) -> Bool {
        let text = policies.joined(separator: "\n")
        guard let reference = try? Reference.decide(policies: text, entities: entities, requests: [request], in: dir),
            let ours = try? Ours.decide(policies: text, entities: entities, requests: [request])
        else { return false }
        return reference != ours
    }

    static func reduce(policies text: String, entities: [[String: Any]], request: [String: Any], dir: String) -> String {
        var policies = text.split(separator: "\n").map(String.init)
        var i = 0
        while i < policies.count && policies.count > 1 {
            var candidate = policies
            candidate.remove(at: i)
            if disagree(candidate, entities, request, dir) { policies = candidate } else { i += 1 }
        }
        let entityText = String(decoding: (try? JSONSerialization.data(withJSONObject: entities, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        let requestText = String(decoding: (try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        return "policies:\n\(policies.joined(separator: "\n"))\nrequest: \(requestText)\nentities: \(entityText)"
    }
}
