/// Lines of `text` that each fit in `width` columns: broken at spaces where possible, a word
/// longer than a line broken between characters, never inside a character; line breaks in the
/// text are kept. A width below 1 is treated as 1, so a very narrow terminal still gets lines.
public enum Wrap {
    public static func lines(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += wrap(paragraph, width: width)
        }
        return lines
    }

    private static func wrap(_ paragraph: Substring, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in words(paragraph) {
            let wordWidth = DisplayWidth.of(word)
            let isSpace = word.first == " "
            if lineWidth + wordWidth <= width {
                line += word
                lineWidth += wordWidth
                continue
            }
            if isSpace {
                // A break here: the spaces end the line and do not start the next.
                lines.append(line)
                line = ""
                lineWidth = 0
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            // A word longer than a line is cut between characters.
            for character in word {
                let columns = DisplayWidth.of(character)
                if lineWidth + columns > width && lineWidth > 0 {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                line.append(character)
                lineWidth += columns
            }
        }
        lines.append(line)
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    /// Runs of spaces and runs of everything else, in order.
    private static func words(_ text: Substring) -> [Substring] {
        var words: [Substring] = []
        var start = text.startIndex
        var index = start
        while index < text.endIndex {
            let space = text[index] == " "
            var end = index
            while end < text.endIndex && (text[end] == " ") == space { end = text.index(after: end) }
            words.append(text[start..<end])
            start = end
            index = end
        }
        return words
    }
}
