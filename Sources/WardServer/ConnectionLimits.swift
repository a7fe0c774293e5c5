/// What one WebSocket connection may do before the server refuses or closes it.
public struct ConnectionLimits: Sendable {
    /// Connections that have not signed in after this long are closed.
    public var authenticationTimeout: Duration = .seconds(10)
    /// A connection whose client leaves one message unread this long is closed.
    public var writeTimeout: Duration = .seconds(10)
    /// A connection whose unsent replies and events would exceed this many bytes is closed.
    public var outboxBytes = 4 * 1024 * 1024
    /// Sustained requests per second; more are refused with `rate_limited`.
    public var requestsPerSecond: Double = 50
    /// Requests allowed at once above the sustained rate.
    public var requestBurst: Double = 100
    /// Refusals in a row (without a one-second pause) after which the connection is closed.
    public var refusalsBeforeClose = 200

    /// A page of an export carries at most this many messages or audit records, and about
    /// `exportPageBytes`, so that it fits a reply (WireProtocol.maxReplyBytes).
    public var exportItemsPerPage = 2_000
    public var exportPageBytes = 768 * 1024

    public init() {}
}
