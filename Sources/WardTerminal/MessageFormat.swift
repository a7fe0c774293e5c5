import WardProtocol

/// How conversation lines read on screen and in transcripts, as the original LAN chat showed
/// them: `Name (Role): text`, own lines as `Me: text`, actions as `* Name does`, and membership as
/// `*** Name has joined`. Text from others is made safe to print first.
public enum MessageFormat {
    public struct Sender: Sendable, Equatable {
        public var name: String
        public var role: String?
        public var isMe: Bool

        public init(name: String, role: String?, isMe: Bool) {
            self.name = name
            self.role = role
            self.isMe = isMe
        }
    }

    /// A message line (without its time, which the caller places).
    public static func message(_ text: String, from sender: Sender, emote: Bool = false) -> String {
        let body = safe(text)
        if emote { return "* \(sender.isMe ? "Me" : safe(sender.name)) \(body)" }
        if sender.isMe { return "Me: \(body)" }
        let role = sender.role.map { " (\(safe($0)))" } ?? ""
        return "\(safe(sender.name))\(role): \(body)"
    }

    public static func joined(_ name: String) -> String { "*** \(safe(name)) has joined" }
    public static func left(_ name: String) -> String { "*** \(safe(name)) has left" }
    public static let connectionLost = "*** Connection to server lost"

    /// Text from others, made safe to print (`PrintableText.safe`).
    public static func safe(_ text: String) -> String { PrintableText.safe(text) }
}
