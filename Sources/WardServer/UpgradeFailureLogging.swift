import Logging

/// The logger a connection's upgrade is handled with. hummingbird-websocket logs at error level
/// every connection that closed before its HTTP request came ("Error handling upgrade result"):
/// a client refused at the TLS handshake (TLS 1.2, plaintext), one that went away, or one the
/// connection guard closed for its address's cap or the upgrade limit. None of them is the
/// server's failure and nothing was lost (the guard's metrics count what it closed), so that one
/// message is logged at debug; every other goes on as it comes.
struct UpgradeFailureLogging: LogHandler {
    var base: any LogHandler

    static func wrapping(_ logger: Logger) -> Logger {
        let base = logger.handler
        return Logger(label: logger.label) { _ in UpgradeFailureLogging(base: base) }
    }

    static func isUpgradeFailure(_ event: LogEvent) -> Bool {
        event.level == .error && event.source == "HummingbirdWebSocket" && event.message.description == "Error handling upgrade result"
    }

    func log(event: LogEvent) {
        var event = event
        if Self.isUpgradeFailure(event) {
            guard base.logLevel <= .debug else { return }
            event.level = .debug
        }
        base.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }
}
