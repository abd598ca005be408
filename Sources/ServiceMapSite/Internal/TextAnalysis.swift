import Foundation

/// Turns text into search terms. Site/assets/search.js has the same rules (`terms`, `stem`):
/// change both together, or queries stop finding what the index holds.
///
/// - lowercase, accents folded, apostrophes dropped ("children's" → "childrens");
/// - words split on anything that is not a letter or digit; a hyphenated word is indexed as its
///   parts and joined ("peri-natal" → "peri", "natal", "perinatal"), so either spelling finds it;
/// - a light suffix stemmer ("services" → "service", "counselling" → "counsell");
/// - common words dropped.
enum TextAnalysis {
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or",
        "the", "to", "with", "who", "their", "they", "this", "that", "can", "all", "not",
    ]

    static func terms(_ text: String) -> [String] {
        // Most text is ASCII: fold it by hand; Foundation's folding is for the rest.
        let folded = text.utf8.allSatisfy { $0 < 0x80 }
            ? text.lowercased()
            : text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var result: [String] = []
        var parts: [String] = []
        var word = ""
        func endWord() {
            if !word.isEmpty { parts.append(word) }
            word = ""
        }
        func endChunk() {
            endWord()
            if parts.count > 1 { add(parts.joined()) }
            for part in parts { add(part) }
            parts.removeAll()
        }
        func add(_ raw: String) {
            guard raw.count >= 2, !stopWords.contains(raw) else { return }
            result.append(stem(raw))
        }
        for scalar in folded.unicodeScalars {
            let v = scalar.value
            if (v >= 97 && v <= 122) || (v >= 48 && v <= 57) || (v > 127 && CharacterSet.letters.contains(scalar)) {
                word.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "’" {
                continue
            } else if scalar == "-" {
                endWord()
            } else {
                endChunk()
            }
        }
        endChunk()
        return result
    }

    static func stem(_ word: String) -> String {
        var w = Array(word.unicodeScalars)
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.unicodeScalars)
            return w.count > s.count && Array(w.suffix(s.count)) == s
        }
        if w.count <= 3 { return word }
        if ends("ies") && w.count > 4 {
            w.removeLast(3); w.append("y")
        } else if ends("sses") {
            w.removeLast(2)
        } else if ends("s") && !ends("ss") && !ends("us") && !ends("is") {
            w.removeLast()
        }
        if ends("ing") && w.count >= 7 {
            w.removeLast(3)
        } else if ends("ed") && w.count >= 6 {
            w.removeLast(2)
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: w)
        return out
    }

    /// The text shard a term lives in: its first two characters, or `_` for anything else.
    static func shardKey(_ term: String) -> String {
        var key = ""
        for scalar in term.unicodeScalars.prefix(2) {
            let v = scalar.value
            key.unicodeScalars.append((v >= 97 && v <= 122) || (v >= 48 && v <= 57) ? scalar : "_")
        }
        return key.count == 2 ? key : key + "_"
    }
}
