/// A token bucket: `burst` requests at once, refilled at `ratePerSecond`.
struct RateLimiter {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        tokens = burst
    }

    mutating func allow() -> Bool {
        let now = ContinuousClock.now
        let elapsed = last.duration(to: now)
        last = now
        tokens = min(burst, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * ratePerSecond)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
