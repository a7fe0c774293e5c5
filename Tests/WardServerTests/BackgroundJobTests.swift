import Logging
import Synchronization
import Testing
@testable import WardServer

/// The server's jobs report their failures instead of swallowing them (issue 20), and go on.
@Suite("Background jobs")
struct BackgroundJobTests {
    struct Broken: Error {}

    @Test func aFailingRoundIsCountedAndLoggedAndTheJobGoesOn() async throws {
        let metrics = Metrics()
        let rounds = Mutex(0)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let job = PeriodicJob(name: "flaky", interval: .milliseconds(10), logger: logger, metrics: metrics) {
            let round = rounds.withLock { count -> Int in
                count += 1
                return count
            }
            if round <= 3 { throw Broken() }
        }
        let running = Task { await job.run() }
        for _ in 0..<3000 where rounds.withLock({ $0 }) < 6 { try await Task.sleep(for: .milliseconds(10)) }
        running.cancel()
        await running.value
        #expect(rounds.withLock { $0 } >= 6, "the job went on after its failures")
        #expect(metrics.text(extra: [:]).contains("ward_job_failures_total{job=\"flaky\"} 3\n"))
    }
}
