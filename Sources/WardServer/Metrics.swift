import Synchronization

/// Counters for /metrics (Prometheus text format 0.0.4). Labels are request types and
/// outcomes only: no ids, no personal data.
public final class Metrics: Sendable {
    private let counters = Mutex<[String: Int]>([:])
    private let gauges = Mutex<[String: Int]>([:])
    private let jobFailures = Mutex<[String: Int]>([:])

    public init() {}

    /// Counts one request of `type` that ended as `outcome` (a reply type or error code).
    public func request(_ type: String, outcome: String) {
        counters.withLock { $0["ward_requests_total{type=\"\(type)\",outcome=\"\(outcome)\"}", default: 0] += 1 }
    }

    /// Counts a failed round of the background job `job` (its name: no ids).
    public func jobFailed(_ job: String) {
        jobFailures.withLock { $0[job, default: 0] += 1 }
    }

    public func connectionOpened() { gauges.withLock { $0["ward_connections_open", default: 0] += 1 } }
    public func connectionClosed() { gauges.withLock { $0["ward_connections_open", default: 0] -= 1 } }
    public func setGauge(_ name: String, _ value: Int) { gauges.withLock { $0[name] = value } }

    /// The exposition text, with `extra` gauges (name → value) appended.
    public func text(extra: [String: Int]) -> String {
        var lines = ["# HELP ward_requests_total Requests handled, by type and outcome.", "# TYPE ward_requests_total counter"]
        lines += counters.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines += ["# HELP ward_job_failures_total Rounds of background jobs that failed, by job.", "# TYPE ward_job_failures_total counter"]
        lines += jobFailures.withLock { $0 }.sorted { $0.key < $1.key }.map { "ward_job_failures_total{job=\"\($0.key)\"} \($0.value)" }
        var allGauges = gauges.withLock { $0 }
        if allGauges["ward_connections_open"] == nil { allGauges["ward_connections_open"] = 0 }
        for (name, value) in extra { allGauges[name] = value }
        for (name, value) in allGauges.sorted(by: { $0.key < $1.key }) {
            lines.append("# TYPE \(name) gauge")
            lines.append("\(name) \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
