import Foundation
import Synchronization
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import WardProtocol

/// The request context of the WebSocket route; it keeps the connection's channel so that a
/// client that stops reading can be cut off at once, without a close handshake it would never read.
struct SocketRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}

/// One WebSocket connection: requests in, replies out through its outbox.
enum SocketSession {
    static func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel,
        context: ServerContext, limits: ConnectionLimits, logger: Logger
    ) async throws {
        let metrics = context.metrics
        // The upgrade is done: the guard's deadline no longer applies.
        channel.pipeline.fireUserInboundEventTriggered(WebSocketUpgraded())
        metrics.connectionOpened()
        defer { metrics.connectionClosed() }
        let outbox = Outbox(limit: limits.outboxBytes) {
            logger.notice("closing a connection whose unread messages exceeded the outbox limit")
            metrics.request("any", outcome: "outbox_overflow_closed")
            channel.close(promise: nil)
        }
        let connection = Connection(context: context, outbox: outbox, limits: limits, sourceAddress: channel.remoteAddress?.ipAddress, logger: logger)
        defer { connection.signedOff() }
        let signedIn = SignInFlag()
        let watchdog = Task {
            try await Task.sleep(for: limits.authenticationTimeout)
            if !signedIn.isSet {
                try? await outbound.close(.policyViolation, reason: "sign in within \(limits.authenticationTimeout.components.seconds) seconds")
            }
        }
        defer { watchdog.cancel() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await write(outbox, to: outbound, channel: channel, within: limits.writeTimeout, metrics: metrics, logger: logger)
            }
            defer { outbox.finish() }
            let abuse = try await read(inbound, into: outbox, connection: connection, signedIn: signedIn, limits: limits)
            // What was answered goes out before any close frame.
            outbox.finish()
            try await group.waitForAll()
            if let abuse { try? await outbound.close(.policyViolation, reason: abuse) }
        }
    }

    /// Handles requests in order, posting each reply; refuses a client that sends faster than its
    /// rate, and returns the reason to close when it will not slow down (nil when the client ended).
    private static func read(
        _ inbound: WebSocketInboundStream, into outbox: Outbox, connection: Connection, signedIn: SignInFlag,
        limits: ConnectionLimits
    ) async throws -> String? {
        let metrics = connection.context.metrics
        let encoder = JSONEncoder.sortedKeys
        var bucket = RateLimiter(ratePerSecond: limits.requestsPerSecond, burst: limits.requestBurst)
        // Refusals count until a full second passes without one.
        var refusals = 0
        var lastRefusal = ContinuousClock.now
        for try await message in inbound.messages(maxSize: WireProtocol.maxFrameBytes) {
            let reply: ReplyFrame
            let type: String
            if bucket.allow() {
                switch message {
                case let .text(text):
                    reply = await connection.handle(text)
                    type = connection.lastRequestType
                case .binary:
                    reply = .error(nil, .badRequest, "binary frames are not part of the protocol; send JSON text")
                    type = "binary"
                }
                if connection.isAuthenticated { signedIn.set() }
            } else {
                if lastRefusal.duration(to: .now) > .seconds(1) { refusals = 0 }
                refusals += 1
                lastRefusal = .now
                // A client that keeps sending while refused is not slowing down: close it.
                if refusals > limits.refusalsBeforeClose { return "too many requests" }
                reply = .error(Connection.salvageID(message.text ?? ""), .rateLimited, "too many requests on this connection; slow down")
                type = "any"
            }
            metrics.request(type, outcome: reply.outcome)
            guard outbox.post(String(decoding: try ReplyEncoding.encode(reply, with: encoder), as: UTF8.self)) else { return nil }
        }
        return nil
    }

    /// Sends what the outbox holds, in order. A write still pending after `limit` (the client
    /// stopped reading) closes the connection: one watchdog per connection checks the write in
    /// progress, rather than a timer per message.
    private static func write(
        _ outbox: Outbox, to outbound: WebSocketOutboundWriter, channel: any Channel, within limit: Duration,
        metrics: Metrics, logger: Logger
    ) async {
        let pending = PendingWrite()
        let watchdog = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: limit / 4)
                if let started = pending.startedAt, started.duration(to: .now) > limit {
                    logger.notice("closing a connection that stopped reading")
                    metrics.request("any", outcome: "slow_reader_closed")
                    channel.close(promise: nil)
                    return
                }
            }
        }
        defer { watchdog.cancel() }
        for await text in outbox.messages {
            pending.start()
            do {
                try await outbound.write(.text(text))
            } catch {
                // The connection is gone; what is queued has nowhere to go.
                return
            }
            pending.finish()
            outbox.sent(text)
        }
    }
}

/// When the write in progress began; nil between writes.
final class PendingWrite: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)
    var startedAt: ContinuousClock.Instant? { started.withLock { $0 } }
    func start() { started.withLock { $0 = .now } }
    func finish() { started.withLock { $0 = nil } }
}

extension WebSocketMessage {
    /// The text of a text message.
    var text: String? {
        if case let .text(text) = self { return text }
        return nil
    }
}

/// Set once a connection has signed in; read by its watchdog.
final class SignInFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
