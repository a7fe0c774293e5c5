import Foundation
import Testing
import WardTestSupport

/// The turns the process-heavy tests take: a limit counts a test's own work from its turn, not
/// the wait for it, and a test over its limit fails instead of holding the turn for ever.
@Suite("Turns for tests with child processes")
struct ExclusiveSubprocessesTests {
    @Test func aLimitCountsFromTheTurnAndStopsWorkThatOverruns() async throws {
        let turns = ExclusiveSubprocesses()
        async let first: Int = turns.run(within: .seconds(30)) {
            try await Task.sleep(for: .milliseconds(600))
            return 1
        }
        try await Task.sleep(for: .milliseconds(100))
        // Waits about half a second for its turn, then works well within its 300 ms.
        let second = try await turns.run(within: .milliseconds(300)) { 2 }
        #expect(try await first == 1 && second == 2)

        await #expect(throws: ExclusiveSubprocesses.TimeLimitExceeded.self) {
            try await turns.run(within: .milliseconds(100)) {
                try await Task.sleep(for: .seconds(30))
                return 3
            }
        }
    }
}
