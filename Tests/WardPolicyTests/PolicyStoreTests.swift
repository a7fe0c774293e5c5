import Foundation
import Synchronization
import Testing
import WardPolicy
import WardTestSupport

@Suite("Policy store: load, reload, refuse")
struct PolicyStoreTests {
    /// Copies the clinic's policies into a scratch directory the test may edit.
    static func scratchPolicies() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let target = dir.path + "/policies"
        try FileManager.default.copyItem(atPath: ClinicPolicyTests.directory, toPath: target)
        return dir
    }

    final class Events: Sendable {
        let list = Mutex<[PolicyLoadEvent]>([])
        var all: [PolicyLoadEvent] { list.withLock { $0 } }
        func record(_ event: PolicyLoadEvent) { list.withLock { $0.append(event) } }
    }

    @Test func aBrokenReloadKeepsTheOldSetAndIsReported() async throws {
        let dir = try Self.scratchPolicies()
        defer { dir.cleanup() }
        let events = Events()
        let store = try await PolicyStore(directory: dir.path + "/policies", observer: { events.record($0) })
        let before = store.current.hashHex
        #expect(events.all.count == 1 && events.all[0].accepted && events.all[0].hash == before)

        // A syntax error: refused with file:line:col, old set kept.
        try "permit(principal, action, resource".write(toFile: dir.path + "/policies/broken.cedar", atomically: true, encoding: .utf8)
        let refused = try await store.reload()
        #expect(!refused.accepted)
        #expect(refused.reason?.contains("broken.cedar:1:") == true)
        #expect(store.current.hashHex == before)

        // A policy that breaks a test (admins may now export): refused, the failing case named.
        try "@id(\"admin-exports\") permit(principal in Role::\"Admin\", action == Action::\"gdpr.export\", resource);\n"
            .write(toFile: dir.path + "/policies/broken.cedar", atomically: true, encoding: .utf8)
        let failing = try await store.reload()
        #expect(!failing.accepted)
        #expect(failing.reason?.contains("admin-exports") == true, "\(failing.reason ?? "")")
        #expect(store.current.hashHex == before)

        // Fixed: accepted and swapped in.
        try FileManager.default.removeItem(atPath: dir.path + "/policies/broken.cedar")
        try "// a comment changes the hash\n".write(toFile: dir.path + "/policies/zz-note.cedar", atomically: true, encoding: .utf8)
        let accepted = try await store.reload()
        #expect(accepted.accepted)
        #expect(store.current.hashHex == accepted.hash && accepted.hash != before)
        #expect(events.all.count == 4)
    }

    @Test func sighupReloads() async throws {
        let dir = try Self.scratchPolicies()
        defer { dir.cleanup() }
        let events = Events()
        let store = try await PolicyStore(directory: dir.path + "/policies", observer: { events.record($0) })
        let source = await store.reloadOnHangup()
        defer { source.cancel() }
        try "// changed\n".write(toFile: dir.path + "/policies/zz-note.cedar", atomically: true, encoding: .utf8)
        kill(getpid(), SIGHUP)
        // Up to 60 s: the reload runs every policy test, and the whole suite shares two cores
        // (in CI, every suite starting at once, this test once ran 53 s).
        for _ in 0..<3000 where events.all.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(events.all.count == 2)
        #expect(store.current.hashHex == events.all.last?.hash)
    }

    @Test func anObserverFailureLeavesTheOldSetInForce() async throws {
        let dir = try Self.scratchPolicies()
        defer { dir.cleanup() }
        struct AuditDown: Error {}
        let failNext = Mutex(false)
        let store = try await PolicyStore(
            directory: dir.path + "/policies",
            observer: { _ in
                if failNext.withLock({ $0 }) { throw AuditDown() }
            })
        let before = store.current.hashHex
        try "// changed\n".write(toFile: dir.path + "/policies/zz-note.cedar", atomically: true, encoding: .utf8)
        failNext.withLock { $0 = true }
        await #expect(throws: AuditDown.self) { try await store.reload() }
        #expect(store.current.hashHex == before, "a load that could not be audited is not in force")
    }

    @Test func requestsDecidedDuringReloadsNeverFail() async throws {
        let dir = try Self.scratchPolicies()
        defer { dir.cleanup() }
        let store = try await PolicyStore(directory: dir.path + "/policies")
        let files = try PolicyTests.load(directory: dir.path + "/policies/tests")
        let cases = files.flatMap { file in file.cases.map { (file.entities, $0) } }
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<20 {
                    try "// edit \(i)\n".write(toFile: dir.path + "/policies/zz-note.cedar", atomically: true, encoding: .utf8)
                    _ = try await store.reload()
                }
                return 0
            }
            group.addTask {
                var wrong = 0
                for round in 0..<200 {
                    let (entities, test) = cases[round % cases.count]
                    let (response, _) = store.authorize(test.request, entities: entities)
                    if response.decision != test.decision || !response.errors.isEmpty { wrong += 1 }
                }
                return wrong
            }
            let wrong = try await group.reduce(0, +)
            #expect(wrong == 0)
        }
    }
}
