import Foundation

/// Whether a display name (or a room name) may be shown to others.
enum DisplayNames {
    /// Display names (and room names) are shown in every client beside what people write: no
    /// line breaks, no bidirectional overrides or other invisible characters that could disguise
    /// who is speaking. Seen accepted before (issue 16, item 10): the Hangul filler, the Braille
    /// blank, runs of variation selectors, 200 combining marks on one letter. So: characters that
    /// render blank are refused, a variation selector must follow a visible character, at most
    /// `maxCombiningMarks` marks stand on one character, and something visible must be there.
    static func isAcceptable(_ name: String) -> Bool {
        guard (1...128).contains(name.count) else { return false }
        var visible = false
        var previousIsBase = false
        var marks = 0
        for scalar in name.unicodeScalars {
            if blankLooking.contains(scalar.value) { return false }
            if (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value) {
                guard previousIsBase else { return false }
                previousIsBase = false
                continue
            }
            // Zero-width (non-)joiners are formatting characters that scripts and emoji need.
            if scalar.value == 0x200C || scalar.value == 0x200D {
                previousIsBase = false
                continue
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse:
                return false
            case .nonspacingMark, .spacingMark, .enclosingMark:
                marks += 1
                guard marks <= maxCombiningMarks else { return false }
            case .spaceSeparator:
                marks = 0
                previousIsBase = false
                continue
            default:
                marks = 0
                visible = true
            }
            previousIsBase = true
        }
        return visible
    }

    /// Combining marks one character may carry (Vietnamese needs two; Unicode's stream-safe
    /// format allows 30, far more than any name).
    static let maxCombiningMarks = 4

    /// Characters that render as blank space or nothing: the Hangul fillers, the Braille blank,
    /// the Mongolian vowel separator, the Khmer inherent vowels, the line and paragraph
    /// separators and the combining grapheme joiner.
    static let blankLooking: Set<UInt32> = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x17B4, 0x17B5, 0x2028, 0x2029, 0x034F]
}
