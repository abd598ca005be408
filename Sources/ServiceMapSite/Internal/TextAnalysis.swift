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
        var result: [String] = []
        var scratch = TermScratch()
        forEachTerm(text, scratch: &scratch) { result.append(String(decoding: $0, as: UTF8.self)) }
        return result
    }

    /// Calls `body` with the UTF-8 bytes of each term of `text`, in the order `terms` lists them.
    /// ASCII text (nearly all of a directory) is analysed byte by byte in `scratch`'s reused
    /// buffers, making no strings; other text goes through `scalarTerms`. The bytes are valid
    /// only during the call.
    static func forEachTerm(_ text: String, scratch: inout TermScratch, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        let handled = text.withUTF8 { bytes -> Bool in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
            scratch.analyseASCII(bytes, body)
            return true
        }
        if handled { return }
        for term in scalarTerms(text) {
            var term = term
            term.withUTF8 { body($0) }
        }
    }

    /// The rules applied character by character, for text with any non-ASCII character.
    static func scalarTerms(_ text: String) -> [String] {
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
        stripSuffixes(&w) { Unicode.Scalar($0) }
        var out = ""
        out.unicodeScalars.append(contentsOf: w)
        return out
    }

    /// The stemmer's suffix rules, on a word spelled in any kind of letter: scalars here, ASCII
    /// bytes in `TermScratch`. `letter` spells an ASCII byte of a suffix in that kind.
    @inline(__always)
    static func stripSuffixes<Letter: Equatable>(_ w: inout [Letter], _ letter: (UInt8) -> Letter) {
        func ends(_ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard w.count > n else { return false }
            let s = suffix.utf8Start
            for k in 0..<n where w[w.count - n + k] != letter(s[k]) { return false }
            return true
        }
        if w.count <= 3 { return }
        if ends("ies") && w.count > 4 {
            w.removeLast(3); w.append(letter(UInt8(ascii: "y")))
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

/// Reused buffers for analysing ASCII text byte by byte: the same rules as
/// `TextAnalysis.scalarTerms` (which the tests hold it to), with no string made per word.
struct TermScratch {
    /// The words of the current chunk (a run of words joined by hyphens), lowercased, back to back.
    private var chunk: [UInt8] = []
    /// Where each word of the chunk ends in `chunk`.
    private var partEnds: [Int] = []
    /// The term being stemmed.
    private var term: [UInt8] = []

    init() {
        chunk.reserveCapacity(64)
        partEnds.reserveCapacity(8)
        term.reserveCapacity(64)
    }

    mutating func analyseASCII(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        chunk.removeAll(keepingCapacity: true)
        partEnds.removeAll(keepingCapacity: true)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                chunk.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                chunk.append(byte | 0x20)
            case UInt8(ascii: "'"):
                continue
            case UInt8(ascii: "-"):
                endWord()
            default:
                endChunk(body)
            }
        }
        endChunk(body)
    }

    private mutating func endWord() {
        if chunk.count > (partEnds.last ?? 0) { partEnds.append(chunk.count) }
    }

    /// The chunk's words joined (when there are several), then each word: the words are back to
    /// back in `chunk`, so the joined form is the whole buffer.
    private mutating func endChunk(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        endWord()
        if partEnds.count > 1 { add(0, chunk.count, body) }
        var start = 0
        for end in partEnds {
            add(start, end, body)
            start = end
        }
        chunk.removeAll(keepingCapacity: true)
        partEnds.removeAll(keepingCapacity: true)
    }

    private mutating func add(_ start: Int, _ end: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard end - start >= 2, !Self.isStopWord(chunk[start..<end]) else { return }
        term.removeAll(keepingCapacity: true)
        term.append(contentsOf: chunk[start..<end])
        Self.stem(&term)
        term.withUnsafeBufferPointer(body)
    }

    /// `TextAnalysis.stopWords` as bytes.
    private static let stopWords: [[UInt8]] = TextAnalysis.stopWords.map { Array($0.utf8) }

    private static func isStopWord(_ word: ArraySlice<UInt8>) -> Bool {
        guard word.count <= 5 else { return false }
        return stopWords.contains { $0.elementsEqual(word) }
    }

    /// `TextAnalysis.stem` on ASCII bytes.
    static func stem(_ w: inout [UInt8]) {
        TextAnalysis.stripSuffixes(&w) { $0 }
    }
}
