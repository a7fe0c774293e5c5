import Foundation

/// How usernames are compared and which are refused. A username is how people find each other
/// (`user.find`) and sign in, so two that look alike must not both exist: seen against a running
/// server, `dr.аnn` (with a Cyrillic а), `DR.ANN` beside `dr.ann`, and the NFC and NFD forms of
/// one name were three accounts (issue 16, item 10). Following Unicode TS #39 (security
/// mechanisms) in small: a username is taken in NFKC, case-folded; its letters come from one
/// script; a non-Latin name made only of letters that look Latin is refused as a whole-script
/// confusable.
public enum Username {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case length, characters, mixedScripts, confusable

        public var description: String {
            switch self {
            case .length: return "username must be 1-64 characters"
            case .characters: return "username may hold letters, digits (0-9), '.', '_' and '-' only"
            case .mixedScripts: return "username must not mix scripts (such as Latin and Cyrillic letters)"
            case .confusable: return "username looks like a Latin name written in another script; choose another"
            }
        }
    }

    /// The form a username is stored and compared in, or why it is refused. Spaces around it
    /// (as typed) are not part of it.
    public static func normalised(_ text: String) -> Result<String, Refusal> {
        // NFKC folds compatibility forms (fullwidth letters, ligatures) into their plain ones;
        // lowercasing after it is Unicode's default case folding for these scripts.
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let folded = String(trimmed.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping)
        guard (1...64).contains(folded.count) else { return .failure(.length) }
        var scripts: Set<Script> = []
        var letters: [Unicode.Scalar] = []
        for scalar in folded.unicodeScalars {
            if ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar) { continue }
            guard scalar.properties.isAlphabetic, let script = Script(scalar) else { return .failure(.characters) }
            scripts.insert(script)
            letters.append(scalar)
        }
        guard scripts.count <= 1 else { return .failure(.mixedScripts) }
        if let script = scripts.first, script != .latin, !letters.isEmpty, letters.allSatisfy({ latinLookalikes.contains($0) }) {
            return .failure(.confusable)
        }
        return .success(folded)
    }

    /// Scripts usernames may be written in (by Unicode block, which is exact for these).
    /// Japanese mixes Han, Hiragana and Katakana in one name: they count as one.
    enum Script: Hashable {
        case latin, greek, cyrillic, armenian, hebrew, arabic, devanagari, thai, hangul, japaneseAndHan

        init?(_ scalar: Unicode.Scalar) {
            switch scalar.value {
            case 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: self = .latin
            case 0x370...0x3FF, 0x1F00...0x1FFF: self = .greek
            case 0x400...0x52F: self = .cyrillic
            case 0x531...0x58F: self = .armenian
            case 0x5D0...0x5FF: self = .hebrew
            case 0x620...0x6FF, 0x750...0x77F: self = .arabic
            case 0x900...0x97F: self = .devanagari
            case 0xE00...0xE7F: self = .thai
            case 0x1100...0x11FF, 0xAC00...0xD7AF: self = .hangul
            case 0x3040...0x30FF, 0x4E00...0x9FFF: self = .japaneseAndHan
            default: return nil
            }
        }
    }

    /// Cyrillic and Greek lower-case letters that look like Latin ones (Unicode's confusables.txt,
    /// the common subset).
    static let latinLookalikes: Set<Unicode.Scalar> = Set("аеорсухіјѕԁԛԝһкοικνρτυχ".unicodeScalars)
}
