import ArgumentParser
import Foundation
import WardCommandLine
import WardPolicy
import WardProtocol

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, test, evaluate and explain Cedar policies (offline).",
        discussion: """
            A policy directory holds *.cedar files and a tests/ directory of JSON test files; see \
            policies/README.md for the entity model, the actions and the test format. Requests and \
            entities use Cedar's JSON forms, so the same files feed the Cedar CLI and cedarpy.
            """,
        subcommands: [Check.self, Test.self, Eval.self, Explain.self]
    )
}

extension PolicyCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse and validate every policy file; print file:line:col for each error.",
            discussion: "Exits 0 and prints the policy count and the set's hash when all is well, 1 otherwise."
        )

        @Argument(help: "The policy directory.")
        var directory: String

        func run() throws {
            let sources: [PolicySet.Source]
            do { sources = try PolicySet.readSources(directory: directory) } catch { throw UsageError("\(error)") }
            var failed = false
            for source in sources {
                do { _ = try PolicyParser.parse(source.text, file: source.path) } catch {
                    print("\(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
            do {
                let set = try PolicySet(sources: sources)
                print("ok: \(set.policies.count) policies in \(sources.count) files, hash \(set.hashHex)")
            } catch {
                print("\(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the policy tests in DIR/tests and report each failure.",
            discussion: "A policy that no test case shows deciding is reported too: every policy needs a test."
        )

        @Argument(help: "The policy directory.")
        var directory: String

        func run() throws {
            let set = try loadPolicies(directory)
            let files: [PolicyTestFile]
            do { files = try PolicyTests.load(directory: directory + "/tests") } catch { throw UsageError("\(error)") }
            let report = PolicyTests.run(files, against: set)
            for problem in report.problems { print("FAIL \(problem)") }
            let cases = files.reduce(0) { $0 + $1.cases.count }
            print(
                "\(report.succeeded ? "ok" : "FAILED"): \(report.passed) of \(cases) cases as expected, "
                    + "\(set.policies.count - report.uncovered.count) of \(set.policies.count) policies covered"
            )
            if !report.succeeded { throw ExitCode(1) }
        }
    }

    struct RequestOptions: ParsableArguments {
        @Option(help: "The policy directory.")
        var policies: String
        @Option(help: "Entities, as a Cedar JSON array.")
        var entities: String
        @Option(help: "One request as Cedar JSON: {\"principal\": \"User::\\\"u\\\"\", \"action\": …, \"resource\": …, \"context\": {…}}.")
        var request: String?
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide requests; print one JSON line each: decision, determining policies, errors, obligations."
        )

        @OptionGroup var options: RequestOptions
        @Option(help: "A file of requests, one JSON object per line.")
        var batch: String?

        func validate() throws {
            guard (options.request == nil) != (batch == nil) else { throw ValidationError("give exactly one of --request and --batch") }
        }

        func run() throws {
            let set = try loadPolicies(options.policies)
            let store = try loadEntities(options.entities)
            let requests: [AuthorizationRequest]
            do {
                if let batch {
                    requests = try CedarJSON.requests(lines: readFile(batch, what: "batch file"))
                } else {
                    requests = [try CedarJSON.request(Data((options.request ?? "").utf8))]
                }
            } catch let error as UsageError {
                throw error
            } catch {
                throw UsageError("request: \(error)")
            }
            let encoder = JSONEncoder.sortedKeys
            for request in requests {
                let response = set.compiled.authorize(request, entities: store)
                let line = ResponseJSON(
                    decision: response.decision.rawValue, policies: response.determiningPolicies,
                    errors: response.errors.map(\.description), obligations: response.obligations)
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
        }

        struct ResponseJSON: Encodable {
            let decision: String
            let policies: [String]
            let errors: [String]
            let obligations: [String: [String: String]]
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain a decision: for every policy, whether its scope matched and what each condition gave.",
            discussion: "Use it on a denied request to see which policy applied and which condition was false."
        )

        @OptionGroup var options: RequestOptions

        func validate() throws {
            guard options.request != nil else { throw ValidationError("--request is required") }
        }

        func run() throws {
            let set = try loadPolicies(options.policies)
            let store = try loadEntities(options.entities)
            let request: AuthorizationRequest
            do { request = try CedarJSON.request(Data((options.request ?? "").utf8)) } catch { throw UsageError("request: \(error)") }
            print(set.compiled.explain(request, entities: store).text)
        }
    }
}
