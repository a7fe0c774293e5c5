import Logging
import Synchronization
import Testing

@testable import WardServer

/// A connection that closes before its upgrade is the client's failure, not the server's: it is
/// not logged at error level; every other message is.
@Suite("Upgrade failures in the log")
struct UpgradeFailureLoggingTests {
    final class Recorded: Sendable {
        let events = Mutex<[(Logger.Level, String)]>([])
    }

    struct Recorder: LogHandler {
        let recorded: Recorded
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        func log(event: LogEvent) { recorded.events.withLock { $0.append((event.level, event.message.description)) } }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }

    static func logger(_ recorded: Recorded, level: Logger.Level) -> Logger {
        UpgradeFailureLogging.wrapping(Logger(label: "test") { _ in Recorder(recorded: recorded, logLevel: level) })
    }

    @Test func aConnectionClosedBeforeItsUpgradeIsNoError() {
        let recorded = Recorded()
        let logger = Self.logger(recorded, level: .info)
        logger.error("Error handling upgrade result", source: "HummingbirdWebSocket")
        logger.error("Error handling upgrade result", source: "SomeoneElse")
        logger.error("the disk is full", source: "HummingbirdWebSocket")
        let events = recorded.events.withLock { $0 }
        #expect(events.map(\.0) == [.error, .error])
        #expect(events.map(\.1) == ["Error handling upgrade result", "the disk is full"])
    }

    @Test func atDebugItIsStillThere() {
        let recorded = Recorded()
        Self.logger(recorded, level: .debug).error("Error handling upgrade result", source: "HummingbirdWebSocket")
        #expect(recorded.events.withLock { $0.map(\.0) } == [.debug])
    }
}
