import ArgumentParser
import Foundation
import WardPolicy

struct PolicyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Policy decisions/s and p50/p99 latency on the clinic policies, against cedarpy on the same requests.",
        discussion: """
            Requests are the policy tests' requests (realistic entities and contexts), cycled. The \
            reference is cedarpy's is_authorized_batch on the same policies, entities and requests, \
            measured in the same run (Python and JSON overhead included, as cedarpy is used). \
            --extra-policies adds unrelated policies (other actions) and reports the slowdown; the \
            reload figure is parse + compile + all policy tests, as a reload does.
            """
    )

    @Option(help: "The policy directory (with tests/).")
    var policies: String = "policies"
    @Option(help: "Decisions to time.")
    var decisions: Int = 200_000
    @Option(help: "Unrelated policies to add for the scaling figure.")
    var extraPolicies: Int = 1000
    @Flag(help: "Skip the cedarpy reference (when Python or cedarpy is not installed).")
    var noReference = false

    func validate() throws {
        guard decisions >= 1000 else { throw ValidationError("--decisions must be at least 1000") }
        guard extraPolicies >= 0 else { throw ValidationError("--extra-policies must not be negative") }
    }

    func run() throws {
        let set = try PolicySet.load(directory: policies)
        let files = try PolicyTests.load(directory: policies + "/tests")
        let cases = files.flatMap { file in file.cases.map { (file.entities, $0.request) } }
        guard !cases.isEmpty else { throw ValidationError("\(policies)/tests has no cases") }

        let base = measure(set.compiled, cases)
        let extra = try PolicySet(sources: set.sources + [.init(path: "zz-extra.cedar", text: Self.unrelatedPolicies(extraPolicies))])
        let scaled = measure(extra.compiled, cases)
        let reload = measureReload(set.sources)
        var result: [String: Any] = [
            "bench": "policy", "policies": set.policies.count, "requests": cases.count, "decisions": decisions,
            "decisions_per_second": (1e9 / base.meanNanos).rounded(), "p50_us": base.p50 / 1000, "p99_us": base.p99 / 1000,
            "extra_policies": extraPolicies, "p50_us_with_extra": scaled.p50 / 1000,
            "slowdown_with_extra": ((scaled.meanNanos / base.meanNanos) * 1000).rounded() / 1000,
            "reload_ms_p50": reload.p50, "reload_ms_max": reload.max
        ]
        if !noReference {
            let cedar = try CedarReference.microsecondsPerDecision(
                policies: set.sources.map(\.text).joined(separator: "\n"),
                entitiesPath: policies + "/tests/clinic-entities.json", testsDirectory: policies + "/tests")
            result["reference"] = "cedarpy is_authorized_batch, same requests"
            result["reference_us_per_decision"] = (cedar * 100).rounded() / 100
            result["speedup_vs_reference"] = ((cedar * 1000 / base.meanNanos) * 10).rounded() / 10
        }
        emit(result)
    }

    struct Timing {
        var meanNanos: Double
        var p50: Double
        var p99: Double
    }

    func measure(_ compiled: CompiledPolicySet, _ cases: [(EntityStore, AuthorizationRequest)]) -> Timing {
        let clock = ContinuousClock()
        var sink = 0
        for i in 0..<min(decisions, 20_000) {
            sink &+= compiled.authorize(cases[i % cases.count].1, entities: cases[i % cases.count].0).determiningPolicies.count
        }
        var samples: [Double] = []
        samples.reserveCapacity(decisions)
        let start = clock.now
        for i in 0..<decisions {
            let (entities, request) = cases[i % cases.count]
            let t0 = clock.now
            sink &+= compiled.authorize(request, entities: entities).determiningPolicies.count
            samples.append(nanos(t0.duration(to: clock.now)))
        }
        let total = nanos(start.duration(to: clock.now))
        samples.sort()
        if sink == -1 { print(sink) } // keeps the work from being optimised away
        return Timing(meanNanos: total / Double(decisions), p50: samples[samples.count / 2], p99: samples[samples.count * 99 / 100])
    }

    func measureReload(_ sources: [PolicySet.Source]) -> (p50: Double, max: Double) {
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<20 {
            let t0 = clock.now
            if let set = try? PolicySet(sources: sources), let files = try? PolicyTests.load(directory: policies + "/tests") {
                _ = PolicyTests.run(files, against: set)
            }
            times.append(nanos(t0.duration(to: clock.now)) / 1e6)
        }
        times.sort()
        return ((times[times.count / 2] * 100).rounded() / 100, ((times.last ?? 0) * 100).rounded() / 100)
    }

    static func unrelatedPolicies(_ count: Int) -> String {
        (0..<count).map { k in
            "@id(\"unrelated-\(k)\") permit(principal in Role::\"Doctor\", action == Action::\"unrelated.\(k)\", resource) when { context "
                + "has x && context.x == \(k) };"
        }.joined(separator: "\n")
    }

    func nanos(_ d: Duration) -> Double { Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }
}

/// Times cedarpy on the same requests.
enum CedarReference {
    static let script = """
        import json, os, sys, time
        import cedarpy
        policies = open(sys.argv[1]).read()
        entities = json.load(open(sys.argv[2]))
        requests = []
        for name in sorted(os.listdir(sys.argv[3])):
            data = json.load(open(os.path.join(sys.argv[3], name)))
            if isinstance(data, dict):
                for case in data["cases"]:
                    requests.append({k: case[k] for k in ("principal", "action", "resource", "context") if k in case})
        batch = requests * 50
        cedarpy.is_authorized_batch(batch[:100], policies, entities)
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            cedarpy.is_authorized_batch(batch, policies, entities)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        print(best / len(batch) * 1e6)
        """

    static func microsecondsPerDecision(policies: String, entitiesPath: String, testsDirectory: String) throws -> Double {
        let dir = NSTemporaryDirectory() + "ward-bench-cedar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try script.write(toFile: dir + "/time_cedar.py", atomically: true, encoding: .utf8)
        try policies.write(toFile: dir + "/policies.cedar", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", dir + "/time_cedar.py", dir + "/policies.cedar", entitiesPath, testsDirectory]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let value = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ValidationError("cedarpy reference failed (pip install cedarpy, or pass --no-reference)")
        }
        return value
    }
}
