import Foundation
import Synchronization
import Testing
import WardClient
import WardProtocol
import WardTestSupport

/// What ward-server answers over HTTP for the web client (issue 18): its files with their types
/// and validators, the security headers on every answer (errors included), nothing outside the
/// folder; and, in a real browser, a new patient's first sign-in and automatic logoff.
@Suite("The web client, served")
struct WebClientServingTests {
    struct Answer: Decodable {
        let status: Int
        let headers: [String: String]
        let length: Int
    }

    /// GETs each path as it is written (nothing normalised) over TLS, trusting the appliance's CA.
    static func get(_ server: ServerHarness, _ paths: [String], ifNoneMatch: String? = nil) async throws -> [String: Answer] {
        let certificate = server.dir.path + "/fetch-ca.pem"
        try server.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        let script = """
            import http.client, json, ssl, sys
            answers = {}
            for path in sys.argv[4:]:
                c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=10)
                headers = {"Host": "localhost"}
                if sys.argv[3]:
                    headers["If-None-Match"] = sys.argv[3]
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                body = r.read()
                answers[path] = {"status": r.status, "headers": {k.lower(): v for k, v in r.getheaders()}, "length": len(body)}
            print(json.dumps(answers))
            """
        let result = try await runProcessInBackground(
            "/usr/bin/env", ["python3", "-c", script, "\(server.port)", certificate, ifNoneMatch ?? ""] + paths)
        return try JSONDecoder().decode([String: Answer].self, from: Data(result.stdout.utf8))
    }

    @Test func theClientsFilesComeWithSecurityHeadersAndNothingElseIsServed() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let served = ["/", "/index.html", "/app/main.js", "/app.css", "/manifest.webmanifest", "/sw.js", "/icons/icon-192.png"]
        let refused = [
            "/../Package.swift", "/app/../../Package.swift", "/%2e%2e/Package.swift", "/Web/index.html", "/app/", "/nope.js", "/.git/config"
        ]
        let answers = try await Self.get(server, served + refused + ["/healthz"])
        let types = [
            "/": "text/html; charset=utf-8", "/app/main.js": "text/javascript; charset=utf-8", "/app.css": "text/css; charset=utf-8",
            "/manifest.webmanifest": "application/manifest+json", "/icons/icon-192.png": "image/png"
        ]
        for path in served {
            let answer = try #require(answers[path])
            #expect(answer.status == 200 && answer.length > 0, "\(path): \(answer.status)")
            if let type = types[path] { #expect(answer.headers["content-type"] == type, "\(path)") }
            #expect(answer.headers["etag"]?.hasPrefix("\"") == true && answer.headers["cache-control"] == "no-cache", "\(path)")
        }
        for path in refused { #expect(answers[path]?.status == 404, "\(path): \(answers[path]?.status ?? 0)") }
        // Every answer, a 404 and /healthz included, carries the same headers.
        for (path, answer) in answers {
            #expect(
                answer.headers["content-security-policy"] == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                    + "connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                "\(path)")
            #expect(answer.headers["strict-transport-security"] == "max-age=63072000", "\(path)")
            #expect(answer.headers["referrer-policy"] == "no-referrer" && answer.headers["x-content-type-options"] == "nosniff", "\(path)")
            #expect(answer.headers["permissions-policy"]?.contains("camera=()") == true, "\(path)")
        }
        // A file the browser holds already is answered 304, without its body.
        let tag = try #require(answers["/app/main.js"]?.headers["etag"])
        let again = try #require(try await Self.get(server, ["/app/main.js"], ifNoneMatch: tag)["/app/main.js"])
        #expect(again.status == 304 && again.length == 0)
        // The page holds no inline script or style (the policy would block them).
        let index = try String(contentsOf: Repository.root.appendingPathComponent("Web/index.html"), encoding: .utf8)
        #expect(!index.contains("<script>") && !index.contains("style=") && !index.contains("<style"))
        await server.stop()
    }

    /// Sessions here end after 6 idle seconds (whole seconds: 5–6 without a request), so the
    /// browser's automatic logoff is seen soon, and a loaded runner's pauses between the first
    /// sign-in's requests (an accessibility check among them) stay within it.
    @Test func aNewPatientSignsInForTheFirstTimeAndIsLoggedOffWhenIdle() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(240)) {
            let server = try await ServerHarness.start(idleSeconds: 6)
            defer { server.cleanup() }
            let oneTime = try await server.connect { connection -> String in
                _ = try await connection.login(username: "admin", password: server.adminPassword)
                try await connection.changePassword(current: server.adminPassword, new: ConversationTests.password)
                _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
                let made = try await connection.request(
                    ClientRequest(id: 0, type: .userCreate, username: "pat.new", displayName: "New", role: "Patient"))
                return made.password ?? ""
            }
            let artifacts = Repository.root.appendingPathComponent(".build/web-client-screenshots").path
            try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            let script = Repository.root.appendingPathComponent("Tests/Web/first_sign_in_scenario.py").path
            let result = try await runProcessInBackground(
                "/usr/bin/timeout",
                [
                    "180", "python3", script, "https://localhost:\(server.port)/", "pat.new",
                    oneTime, "a long enough new passphrase", artifacts
                ])
            #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
            await server.stop()
        }
    }
}
