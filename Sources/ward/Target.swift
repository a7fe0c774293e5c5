import WardClient
import WardCommandLine

/// `USER@HOST[:PORT]`: who signs in where.
struct Target: Sendable, CustomStringConvertible {
    var user: String
    var host: String
    var port: Int

    static let defaultPort = 8443

    init(parsing text: String) throws {
        guard let at = text.lastIndex(of: "@"), at != text.startIndex else {
            throw UsageError("\(text): give USER@HOST or USER@HOST:PORT")
        }
        user = String(text[..<at])
        var rest = text[text.index(after: at)...]
        port = Self.defaultPort
        // An IPv6 address is written in brackets: [::1]:8443.
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix(":") { port = try Self.port(rest.dropFirst(), in: text) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = try Self.port(rest[rest.index(after: colon)...], in: text)
        } else {
            host = String(rest)
        }
        guard !host.isEmpty, !user.isEmpty else { throw UsageError("\(text): give USER@HOST or USER@HOST:PORT") }
    }

    private static func port(_ text: Substring, in whole: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw UsageError("\(whole): the port must be 1-65535") }
        return port
    }

    /// `host:port`, the key servers are pinned under.
    var server: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var url: String { "wss://\(server)/v1/ws" }

    var isAddress: Bool { TLSServerName.isAddress(host) }

    var description: String { "\(user)@\(server)" }
}
