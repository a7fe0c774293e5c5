/// Text that reaches a terminal from elsewhere (other people's names and messages, the server's
/// error messages) made safe to print: control characters and invisible formatting characters
/// (bidirectional overrides among them) become U+FFFD, so that the text cannot move the cursor,
/// rewrite the terminal or disguise who is speaking; the joiners that emoji and scripts need are
/// kept. Line breaks become spaces.
public enum PrintableText {
    public static func safe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar -> Unicode.Scalar in
                    if scalar == "\n" { return " " }
                    if scalar.value == 0x200C || scalar.value == 0x200D { return scalar }
                    switch scalar.properties.generalCategory {
                    case .control, .format, .lineSeparator, .paragraphSeparator: return "\u{FFFD}"
                    default: return scalar
                    }
                }))
    }

    /// `safe`, and at most `limit` characters: a server's message is a sentence, not a page.
    public static func safe(_ text: String, limit: Int) -> String {
        let shown = safe(text)
        return shown.count <= limit ? shown : String(shown.prefix(limit)) + "…"
    }
}
